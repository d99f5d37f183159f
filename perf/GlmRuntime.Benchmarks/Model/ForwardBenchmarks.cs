using BenchmarkDotNet.Attributes;
using GlmRuntime.Model;

namespace GlmRuntime.Benchmarks.Model;

/// <summary>
/// One full forward (prefill of the golden file's longest prompt, all logits) and one decode step (a single
/// token after that prompt, absorbed MLA) of each tiny model on the managed CPU backend.
/// </summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private GlmModel _model = null!;
    private SequenceState _prefilled = null!;
    private int[] _prompt = [];

    [Params("tiny-glm5", "tiny-glm5-sharded", "tiny-glm5-dense-topk", "tiny-glm5-mxfp4", "tiny-glm5-fp8")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _model = GlmModel.Load(Path.Combine(BenchmarkPaths.Models, Model));
        // 48 tokens (40 for the fp8 folder): the longest golden prompts; the ids only need to be in the vocabulary.
        int length = Model == "tiny-glm5-fp8" ? 40 : 48;
        _prompt = Enumerable.Range(0, length).Select(i => 2 + (i * 37) % (_model.Config.VocabSize - 2)).ToArray();
        _prefilled = _model.CreateSequence();
        _model.Forward(_prefilled, _prompt, allLogits: false);
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public float FullForward() => _model.Forward(_model.CreateSequence(), _prompt).Logits[0];

    [Benchmark]
    public float DecodeStep()
    {
        var result = _model.Forward(_prefilled, [_prompt[^1]], allLogits: false);
        _prefilled.Truncate(_prompt.Length); // keep every iteration at the same context length
        return result.Logits[0];
    }
}
