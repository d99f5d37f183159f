using BenchmarkDotNet.Attributes;

namespace GlmRuntime.Benchmarks.Engine;

/// <summary>
/// Time to first token with and without the prefix cache on the seed workload's shape scaled down (PERF.md §2.4:
/// 60% of each prompt cached): on the demo model, every prompt is a 384-token prefix shared by all requests plus 256
/// tokens of its own (640 tokens), generating one token (greedy). One operation is one request, and requests run
/// one after another, so the mean time is the request's latency: its TTFT plus one sampling step. A warm-up
/// request in the setup puts the prefix in the cache. Cleanup prints the TTFT the engine itself reported
/// (<see cref="GenerationUsage.TimeToFirstToken"/>, mean and median) and the mean cached tokens.
/// Target: ≥ 2× lower TTFT with the cache.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PrefixCacheBenchmarks
{
    /// <summary>Tokens every prompt shares: six full 64-token pages.</summary>
    public const int SharedLength = 384;

    /// <summary>Tokens of each prompt after the shared prefix.</summary>
    public const int UniqueLength = 256;

    private const int RequestsPerOperation = 4;
    private GlmEngine _engine = null!;
    private int[] _shared = [];
    private SamplingParams _sampling = SamplingParams.Greedy;
    private Random _random = null!;
    private readonly List<GenerationUsage> _usages = [];

    /// <summary>Loads the demo model with the prefix cache off.</summary>
    [GlobalSetup(Target = nameof(WithoutPrefixCache))]
    public void SetupWithout() => Setup(prefixCache: false);

    /// <summary>Loads the demo model with the prefix cache on.</summary>
    [GlobalSetup(Target = nameof(WithPrefixCache))]
    public void SetupWith() => Setup(prefixCache: true);

    /// <summary>Prints the engine's own TTFT figures and frees the engine.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_usages.Count > 0)
        {
            // Every request after the setup's warm-up, BenchmarkDotNet's own warm-up iterations included.
            double[] ttft = _usages.Select(u => u.TimeToFirstToken.TotalMilliseconds).Order().ToArray();
            double cached = _usages.Average(u => u.CachedTokenCount);
            Console.WriteLine($"// prefix cache {(_engine.Options.EnablePrefixCache ? "on" : "off")}: TTFT mean {ttft.Average():F2} ms, " +
                              $"median {ttft[ttft.Length / 2]:F2} ms over {ttft.Length} requests of {SharedLength + UniqueLength} prompt tokens, " +
                              $"{cached:F0} of them cached on average");
        }
        _engine.Dispose();
    }

    /// <summary>Every prompt prefilled in full.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RequestsPerOperation)]
    public int WithoutPrefixCache() => RunRequests();

    /// <summary>The shared 384 tokens come from the cache; 256 are prefilled.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerOperation)]
    public int WithPrefixCache() => RunRequests();

    private void Setup(bool prefixCache)
    {
        _engine = GlmEngine.LoadAsync(BenchmarkPaths.DemoModel, new GlmEngineOptions { EnablePrefixCache = prefixCache })
            .GetAwaiter().GetResult();
        // Fixed seeds: both cases see the same prompts.
        _random = new Random(17);
        int vocab = _engine.Config.VocabSize;
        _shared = Enumerable.Range(0, SharedLength).Select(_ => _random.Next(vocab)).ToArray();
        _sampling = SamplingParams.Greedy with { MaxTokens = 1, IgnoreEos = true };
        RunRequests(); // warm-up: JIT, and the shared prefix enters the cache
        _usages.Clear();
    }

    private int RunRequests()
    {
        int tokens = 0;
        for (int i = 0; i < RequestsPerOperation; i++)
        {
            // A fresh random suffix per request, so only the shared prefix can ever hit the cache.
            int[] prompt = [.. _shared, .. Enumerable.Range(0, UniqueLength).Select(_ => _random.Next(_engine.Config.VocabSize))];
            GenerationResult result = _engine.GenerateAsync(GenerationRequest.FromTokens(prompt, _sampling)).GetAwaiter().GetResult();
            _usages.Add(result.Usage);
            tokens += result.Usage.CompletionTokenCount;
        }
        return tokens;
    }
}
