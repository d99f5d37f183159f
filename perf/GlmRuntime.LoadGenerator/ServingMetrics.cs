using System.Text.Json.Serialization;
using GlmRuntime.Diagnostics;

namespace GlmRuntime.LoadGenerator;

/// <summary>
/// One rate's results, with sglang's and vLLM's field names (SERVING.md §1.11): throughputs over the run's wall time,
/// latency percentiles in milliseconds, and the server's prefix-cache hit rate and speculative acceptance over the run.
/// </summary>
public sealed record ServingMetrics
{
    [JsonPropertyName("request_rate")] public double RequestRate { get; init; }
    [JsonPropertyName("completed")] public int Completed { get; init; }
    [JsonPropertyName("failed")] public int Failed { get; init; }
    [JsonPropertyName("success_rate")] public double SuccessRate { get; init; }
    [JsonPropertyName("duration_s")] public double DurationSeconds { get; init; }
    [JsonPropertyName("request_throughput")] public double RequestThroughput { get; init; }
    [JsonPropertyName("input_throughput")] public double InputThroughput { get; init; }
    [JsonPropertyName("output_throughput")] public double OutputThroughput { get; init; }
    [JsonPropertyName("total_throughput")] public double TotalThroughput { get; init; }
    [JsonPropertyName("concurrency")] public double Concurrency { get; init; }
    [JsonPropertyName("mean_ttft_ms")] public double MeanTtftMs { get; init; }
    [JsonPropertyName("median_ttft_ms")] public double MedianTtftMs { get; init; }
    [JsonPropertyName("p95_ttft_ms")] public double P95TtftMs { get; init; }
    [JsonPropertyName("p99_ttft_ms")] public double P99TtftMs { get; init; }
    [JsonPropertyName("mean_itl_ms")] public double MeanItlMs { get; init; }
    [JsonPropertyName("median_itl_ms")] public double MedianItlMs { get; init; }
    [JsonPropertyName("p95_itl_ms")] public double P95ItlMs { get; init; }
    [JsonPropertyName("p99_itl_ms")] public double P99ItlMs { get; init; }
    [JsonPropertyName("mean_tpot_ms")] public double MeanTpotMs { get; init; }
    [JsonPropertyName("median_tpot_ms")] public double MedianTpotMs { get; init; }
    [JsonPropertyName("p99_tpot_ms")] public double P99TpotMs { get; init; }
    [JsonPropertyName("mean_e2el_ms")] public double MeanE2eMs { get; init; }
    [JsonPropertyName("median_e2el_ms")] public double MedianE2eMs { get; init; }
    [JsonPropertyName("p95_e2el_ms")] public double P95E2eMs { get; init; }
    [JsonPropertyName("p99_e2el_ms")] public double P99E2eMs { get; init; }
    [JsonPropertyName("total_input_tokens")] public long TotalInputTokens { get; init; }
    [JsonPropertyName("total_output_tokens")] public long TotalOutputTokens { get; init; }
    /// <summary>Server side: hit tokens / queried tokens over the run (vLLM's definition); null when nothing was queried.</summary>
    [JsonPropertyName("cache_hit_rate")] public double? CacheHitRate { get; init; }
    /// <summary>Client side: cached prompt tokens from the usage / prompt tokens.</summary>
    [JsonPropertyName("usage_cached_fraction")] public double UsageCachedFraction { get; init; }
    /// <summary>Accepted / drafted tokens over the run; null without speculative decoding.</summary>
    [JsonPropertyName("spec_accept_rate")] public double? SpecAcceptRate { get; init; }
    /// <summary>Tokens per verifying target forward (1 + accepted / rounds); null without speculative decoding.</summary>
    [JsonPropertyName("spec_accept_length")] public double? SpecAcceptLength { get; init; }
    [JsonPropertyName("errors")] public IReadOnlyList<string> Errors { get; init; } = [];

    public static ServingMetrics Compute(double rate, IReadOnlyList<RequestOutcome> outcomes, double durationSeconds, ServerCounters counters)
    {
        var ok = outcomes.Where(o => o.Success).ToList();
        double[] ttft = ok.Select(o => o.TtftSeconds * 1000).ToArray();
        double[] itl = ok.SelectMany(o => o.InterChunkSeconds).Select(s => s * 1000).ToArray();
        double[] tpot = ok.Where(o => o.TpotSeconds is not null).Select(o => o.TpotSeconds!.Value * 1000).ToArray();
        double[] e2e = ok.Select(o => o.E2eSeconds * 1000).ToArray();
        long input = ok.Sum(o => (long)o.PromptTokens), output = ok.Sum(o => (long)o.OutputTokens), cached = ok.Sum(o => (long)o.CachedTokens);
        double duration = Math.Max(durationSeconds, 1e-9);
        return new ServingMetrics
        {
            RequestRate = rate,
            Completed = ok.Count,
            Failed = outcomes.Count - ok.Count,
            SuccessRate = outcomes.Count == 0 ? 0 : (double)ok.Count / outcomes.Count,
            DurationSeconds = durationSeconds,
            RequestThroughput = ok.Count / duration,
            InputThroughput = input / duration,
            OutputThroughput = output / duration,
            TotalThroughput = (input + output) / duration,
            Concurrency = e2e.Sum() / 1000 / duration,
            MeanTtftMs = Mean(ttft), MedianTtftMs = Percentiles.Of(ttft, 50), P95TtftMs = Percentiles.Of(ttft, 95), P99TtftMs = Percentiles.Of(ttft, 99),
            MeanItlMs = Mean(itl), MedianItlMs = Percentiles.Of(itl, 50), P95ItlMs = Percentiles.Of(itl, 95), P99ItlMs = Percentiles.Of(itl, 99),
            MeanTpotMs = Mean(tpot), MedianTpotMs = Percentiles.Of(tpot, 50), P99TpotMs = Percentiles.Of(tpot, 99),
            MeanE2eMs = Mean(e2e), MedianE2eMs = Percentiles.Of(e2e, 50), P95E2eMs = Percentiles.Of(e2e, 95), P99E2eMs = Percentiles.Of(e2e, 99),
            TotalInputTokens = input,
            TotalOutputTokens = output,
            CacheHitRate = counters.PrefixQueriedTokens > 0 ? counters.PrefixHitTokens / counters.PrefixQueriedTokens : null,
            UsageCachedFraction = input == 0 ? 0 : (double)cached / input,
            SpecAcceptRate = counters.DraftTokens > 0 ? counters.AcceptedTokens / counters.DraftTokens : null,
            SpecAcceptLength = counters.SpeculativeRounds > 0 ? 1 + counters.AcceptedTokens / counters.SpeculativeRounds : null,
            Errors = outcomes.Where(o => !o.Success).Select(o => o.Error ?? "failed").Distinct().Take(5).ToList(),
        };
    }

    private static double Mean(double[] values) => values.Length == 0 ? 0 : values.Average();
}

/// <summary>Single-stream results (Artificial Analysis style): one request at a time.</summary>
public sealed record SingleStreamMetrics
{
    [JsonPropertyName("requests")] public int Requests { get; init; }
    /// <summary>Output tokens per second after the first token: (output − 1) / (E2E − TTFT), median over requests.</summary>
    [JsonPropertyName("median_output_tokens_per_s")] public double MedianOutputTokensPerSecond { get; init; }
    [JsonPropertyName("mean_output_tokens_per_s")] public double MeanOutputTokensPerSecond { get; init; }
    [JsonPropertyName("median_ttft_ms")] public double MedianTtftMs { get; init; }
    [JsonPropertyName("median_e2el_ms")] public double MedianE2eMs { get; init; }
    [JsonPropertyName("cache_hit_rate")] public double? CacheHitRate { get; init; }
    [JsonPropertyName("spec_accept_length")] public double? SpecAcceptLength { get; init; }

    public static SingleStreamMetrics Compute(IReadOnlyList<RequestOutcome> outcomes, ServerCounters counters)
    {
        var ok = outcomes.Where(o => o.Success && o.OutputTokens > 1 && o.E2eSeconds > o.TtftSeconds).ToList();
        double[] speeds = ok.Select(o => (o.OutputTokens - 1) / (o.E2eSeconds - o.TtftSeconds)).ToArray();
        return new SingleStreamMetrics
        {
            Requests = ok.Count,
            MedianOutputTokensPerSecond = Percentiles.Of(speeds, 50),
            MeanOutputTokensPerSecond = speeds.Length == 0 ? 0 : speeds.Average(),
            MedianTtftMs = Percentiles.Of(ok.Select(o => o.TtftSeconds * 1000).ToArray(), 50),
            MedianE2eMs = Percentiles.Of(ok.Select(o => o.E2eSeconds * 1000).ToArray(), 50),
            CacheHitRate = counters.PrefixQueriedTokens > 0 ? counters.PrefixHitTokens / counters.PrefixQueriedTokens : null,
            SpecAcceptLength = counters.SpeculativeRounds > 0 ? 1 + counters.AcceptedTokens / counters.SpeculativeRounds : null,
        };
    }
}
