using BenchmarkDotNet.Attributes;
using GlmRuntime.Diagnostics;
using GlmRuntime.Model;

namespace GlmRuntime.Benchmarks.Model;

/// <summary>
/// The synthetic GLM-5-shaped MXFP4 model (<c>glm bench cpu</c>'s decode figures): one decode step of 1, 4, 16 or 64
/// sequences at a 64-token context, and a 512-token prefill. Tokens per second = Batch ÷ the step's mean time;
/// MemoryDiagnoser shows what a step allocates.
/// </summary>
[MemoryDiagnoser]
public class SyntheticModelBenchmarks
{
    private const int Context = 64;
    private GlmModel _model = null!;
    private SequenceState[] _sequences = [];
    private ForwardBatch _step = null!;
    private int[] _prompt = [];

    [Params(1, 4, 16, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        SyntheticModelProbe.EnsureWritten(SyntheticModelProbe.DefaultDirectory);
        _model = SyntheticModelProbe.Load(SyntheticModelProbe.DefaultDirectory, Environment.ProcessorCount, maxSequenceLength: 1024);
        int vocab = _model.Config.VocabSize;
        _sequences = Enumerable.Range(0, Batch).Select(_ => _model.CreateSequence()).ToArray();
        foreach (var sequence in _sequences)
            _model.Forward(sequence, Enumerable.Range(0, Context).Select(i => 2 + i * 37 % (vocab - 2)).ToArray(), allLogits: false);
        var tokens = Enumerable.Range(0, Batch).Select(i => 2 + i * 11 % (vocab - 2)).ToArray();
        var segments = _sequences.Select((s, i) => new BatchSegment(s, i, 1, AttentionForm.Absorbed, 1)).ToArray();
        _step = new ForwardBatch(tokens, Enumerable.Repeat(Context, Batch).ToArray(), segments);
        _prompt = Enumerable.Range(0, 512).Select(i => 2 + i * 53 % (vocab - 2)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public float DecodeStep()
    {
        float first = _model.Forward(_step).Logits[0];
        foreach (var sequence in _sequences)
            sequence.Truncate(Context);
        return first;
    }

    [Benchmark]
    public float Prefill512() => _model.Forward(_model.CreateSequence(), _prompt, allLogits: false).Logits[0];
}
