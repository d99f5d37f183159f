using System.Globalization;
using System.Text.Json;

namespace GlmRuntime.LoadGenerator;

/// <summary>A sweep's results as the seeds' table (one row per rate) or as JSON.</summary>
public static class ServingReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void WriteTable(TextWriter output, string title, IReadOnlyList<ServingMetrics> rows)
    {
        output.WriteLine(title);
        output.WriteLine("| rate (req/s) | ok | req/s | out tok/s | TTFT p50 / p95 / p99 (ms) | ITL p50 / p95 (ms) | E2E p50 / p99 (ms) | cache hit | spec accept |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string hit = r.CacheHitRate is { } h ? h.ToString("P1", CultureInfo.InvariantCulture) : "–";
            string spec = r.SpecAcceptRate is { } a
                ? string.Format(CultureInfo.InvariantCulture, "{0:P0} ({1:0.00} tok/fwd)", a, r.SpecAcceptLength)
                : "off";
            output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "| {0} | {1:P0} | {2:0.00} | {3:0.0} | {4:0} / {5:0} / {6:0} | {7:0.0} / {8:0.0} | {9:0} / {10:0} | {11} | {12} |",
                LoadRunner.FormatRate(r.RequestRate), r.SuccessRate, r.RequestThroughput, r.OutputThroughput,
                r.MedianTtftMs, r.P95TtftMs, r.P99TtftMs, r.MedianItlMs, r.P95ItlMs, r.MedianE2eMs, r.P99E2eMs, hit, spec));
        }
        foreach (var r in rows.Where(r => r.Errors.Count > 0))
            output.WriteLine($"rate {LoadRunner.FormatRate(r.RequestRate)} errors: {string.Join("; ", r.Errors)}");
    }

    public static void WriteSingleStream(TextWriter output, SingleStreamMetrics m)
    {
        string spec = m.SpecAcceptLength is { } length ? string.Format(CultureInfo.InvariantCulture, ", {0:0.00} tokens per target forward", length) : "";
        output.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "single stream: {0} requests, output {1:0.0} tok/s after the first token (median; mean {2:0.0}), TTFT {3:0} ms, E2E {4:0} ms (medians){5}",
            m.Requests, m.MedianOutputTokensPerSecond, m.MeanOutputTokensPerSecond, m.MedianTtftMs, m.MedianE2eMs, spec));
    }

    public static string ToJson(object value) => JsonSerializer.Serialize(value, Json);
}
