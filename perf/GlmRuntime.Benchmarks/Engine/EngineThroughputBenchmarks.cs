using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace GlmRuntime.Benchmarks.Engine;

/// <summary>
/// Generated tokens per second of <see cref="GlmEngine"/> against the number of concurrent requests (1, 4, 16, 64)
/// on tiny-glm5: each request has its own 64-token prompt and generates exactly 32 tokens (greedy, IgnoreEos), and all
/// are submitted together through <see cref="GlmEngine.GenerateBatchAsync"/>. One operation is the whole batch from
/// submission to the last token, prefill included (sglang's output_throughput: output tokens over wall time). The
/// prefix cache is off so every operation does the same work. Columns: tokens/s, and the throughput relative to one
/// request (BenchmarkDotNet's Ratio is the time ratio, which grows with the batch).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class EngineThroughputBenchmarks
{
    /// <summary>Prompt tokens of every request.</summary>
    public const int PromptLength = 64;

    /// <summary>Tokens every request generates.</summary>
    public const int MaxTokens = 32;

    private const int MostRequests = 64;
    private GlmEngine _engine = null!;
    private GenerationRequest[] _requests = [];

    /// <summary>Loads tiny-glm5 and builds 64 distinct prompts.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var options = new GlmEngineOptions { EnablePrefixCache = false, MaxRunningRequests = MostRequests };
        _engine = GlmEngine.LoadAsync(Path.Combine(BenchmarkPaths.Models, "tiny-glm5"), options).GetAwaiter().GetResult();
        var sampling = SamplingParams.Greedy with { MaxTokens = MaxTokens, IgnoreEos = true };
        int vocab = _engine.Config.VocabSize;
        _requests = Enumerable.Range(0, MostRequests)
            .Select(r => GenerationRequest.FromTokens(
                Enumerable.Range(0, PromptLength).Select(i => 2 + (i * 37 + r * 101) % (vocab - 2)).ToArray(), sampling))
            .ToArray();
        // One pass at full width: JIT, workspaces, and a check that every request really generates MaxTokens.
        if (Generate(MostRequests) != MostRequests * MaxTokens)
            throw new InvalidOperationException("A request stopped before MaxTokens despite IgnoreEos.");
    }

    /// <summary>Frees the engine.</summary>
    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>One request alone: the decode latency bound.</summary>
    [Benchmark(Baseline = true)]
    public int Requests1() => Generate(1);

    /// <summary>Four requests batched.</summary>
    [Benchmark]
    public int Requests4() => Generate(4);

    /// <summary>Sixteen requests batched.</summary>
    [Benchmark]
    public int Requests16() => Generate(16);

    /// <summary>Sixty-four requests batched (the default MaxRunningRequests).</summary>
    [Benchmark]
    public int Requests64() => Generate(64);

    /// <summary>Tokens one operation of a benchmark generates, for the tokens/s column.</summary>
    internal static int GeneratedTokens(string benchmarkName) => RequestCount(benchmarkName) * MaxTokens;

    private static int RequestCount(string benchmarkName) => benchmarkName switch
    {
        nameof(Requests1) => 1,
        nameof(Requests4) => 4,
        nameof(Requests16) => 16,
        nameof(Requests64) => 64,
        _ => throw new ArgumentException($"Unknown benchmark '{benchmarkName}'.", nameof(benchmarkName)),
    };

    private int Generate(int count)
    {
        // BenchmarkDotNet calls synchronously; the engine loop runs on its own thread, so blocking here is safe.
        var results = _engine.GenerateBatchAsync(_requests[..count]).GetAwaiter().GetResult();
        return results.Sum(r => r.Usage.CompletionTokenCount);
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        // The median beside the mean: on a shared 2-core host single iterations stall now and then.
        public ThroughputConfig() =>
            AddColumn(StatisticColumn.Median,
                new TokensPerSecondColumn("tok/s", "Generated tokens per second: output tokens of all requests over the mean time of the batch", Tokens),
                new TokensPerSecondColumn("tok/s vs 1", "Generated tokens per second divided by the baseline's (one request)", Tokens,
                    (summary, _) => summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.Baseline)));

        private static int Tokens(BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => GeneratedTokens(benchmarkCase.Descriptor.WorkloadMethod.Name);
    }
}
