using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using GlmRuntime.Checkpoints;

namespace GlmRuntime.Benchmarks.Engine;

/// <summary>
/// Single-stream decoding with MTP speculative decoding off, 3/1/4 (GLM-5's recipe) and 5/1/6, on a perfect-draft
/// model (<see cref="TinyCheckpointOptions.PerfectDraft"/>: every draft accepted) and on the same architecture with
/// random weights (drafts nearly always rejected: the cost of drafting for nothing). Both use <see cref="BenchConfig"/>,
/// large enough (hidden 512, 6 dense layers + the MTP layer) that a decode step is dominated by decoding weights, as on a real model,
/// not by per-call overheads. One operation is one greedy request, 16-token prompt, exactly 96 generated tokens,
/// prefill included. Columns: tokens/s, tokens/s over the same model with speculation off (same run), and tokens per
/// target forward (deterministic for greedy decoding; measured once per case outside the timed runs).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SpeculativeConfig))]
public class SpeculativeDecodingBenchmarks
{
    /// <summary>Tokens every operation generates.</summary>
    public const int MaxTokens = 96;

    private const string Off = "off";
    private static readonly int[] Prompt = Enumerable.Range(0, 16).Select(i => 2 + (i * 37) % 250).ToArray();
    private static readonly ConcurrentDictionary<(string, string), double> TokensPerForward = new();
    private GlmEngine _engine = null!;

    /// <summary>perfect-draft or random.</summary>
    [Params("perfect-draft", "random")]
    public string Model { get; set; } = "";

    /// <summary>off, or sglang's steps/topk/draft-tokens.</summary>
    [Params(Off, "3/1/4", "5/1/6")]
    public string Speculative { get; set; } = Off;

    /// <summary>Loads the engine for this case.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = Load(Model, Speculative);
        if (Generate() != MaxTokens)
            throw new InvalidOperationException("The request stopped before MaxTokens despite IgnoreEos.");
    }

    /// <summary>Frees the engine.</summary>
    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>One request from submission to its last token.</summary>
    [Benchmark]
    public int SingleStream() => Generate();

    private int Generate() =>
        // BenchmarkDotNet calls synchronously; the engine loop runs on its own thread, so blocking here is safe.
        _engine.GenerateAsync(Prompt, Sampling).GetAwaiter().GetResult().Usage.CompletionTokenCount;

    private static SamplingParams Sampling => SamplingParams.Greedy with { MaxTokens = MaxTokens, IgnoreEos = true };

    private static GlmEngine Load(string model, string speculative)
    {
        var options = new GlmEngineOptions
        {
            EnablePrefixCache = false,
            Speculative = speculative == Off ? null : SpeculativeDecodingOptions.Parse(speculative),
        };
        return GlmEngine.LoadAsync(ModelPath(model), options).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The tiny architecture scaled up until reading weights, not call overheads, dominates a decode step: hidden 512,
    /// 6 dense decoder layers with FFN 2048 (about 60 MB of BF16, beyond the caches) and the MoE MTP layer. Dense,
    /// so that the verify pass shares every weight between its rows; with few experts, a handful of rows already
    /// touches most of them and a verify pass costs nearly as much as that many decode steps on this backend.
    /// </summary>
    public static Configuration.GlmConfig BenchConfig => TinyCheckpointWriter.TinyConfig() with
    {
        HiddenSize = 512,
        IntermediateSize = 2048,
        NumHiddenLayers = 6,
        FirstKDenseReplace = 6,
    };

    private static string ModelPath(string model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"glmruntime-bench-{model}-v3");
        if (!File.Exists(Path.Combine(path, "config.json")))
            TinyCheckpointWriter.Write(path, BenchConfig, new TinyCheckpointOptions { Seed = 3, PerfectDraft = model == "perfect-draft" });
        return path;
    }

    /// <summary>Generated tokens over target forwards for a case: the prefill's first token, then each round's.</summary>
    private static double MeasureTokensPerForward(string model, string speculative) =>
        TokensPerForward.GetOrAdd((model, speculative), key =>
        {
            using var engine = Load(key.Item1, key.Item2);
            int tokens = engine.GenerateAsync(Prompt, Sampling).GetAwaiter().GetResult().Usage.CompletionTokenCount;
            long forwards = engine.GetStatistics().StepCount;
            return forwards == 0 ? 0 : (double)tokens / forwards;
        });

    private static string ParamOf(BenchmarkCase benchmarkCase, string name) =>
        (string)benchmarkCase.Parameters.Items.First(p => p.Name == name).Value;

    private sealed class SpeculativeConfig : ManualConfig
    {
        public SpeculativeConfig() =>
            AddColumn(StatisticColumn.Median,
                new TokensPerSecondColumn("tok/s", "Generated tokens per second of the single stream", _ => MaxTokens),
                new TokensPerSecondColumn("vs off", "Tokens per second over the same model's with speculation off", _ => MaxTokens, OffCase),
                new TokensPerForwardColumn());

        private static BenchmarkCase? OffCase(Summary summary, BenchmarkCase benchmarkCase) =>
            summary.BenchmarksCases.FirstOrDefault(c => ParamOf(c, nameof(Model)) == ParamOf(benchmarkCase, nameof(Model)) && ParamOf(c, nameof(Speculative)) == Off);
    }

    /// <summary>Tokens per target forward (sglang's accept length, counting the prefill's forward too).</summary>
    private sealed class TokensPerForwardColumn : IColumn
    {
        public string Id => nameof(TokensPerForwardColumn);

        public string ColumnName => "tok/fwd";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 2;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Generated tokens per target forward (prefill included), measured once per case";

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            MeasureTokensPerForward(ParamOf(benchmarkCase, nameof(Model)), ParamOf(benchmarkCase, nameof(Speculative))).ToString("F2");
    }
}
