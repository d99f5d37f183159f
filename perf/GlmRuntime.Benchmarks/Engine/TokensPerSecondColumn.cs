using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GlmRuntime.Benchmarks.Engine;

/// <summary>
/// Generated tokens per second of an <see cref="EngineThroughputBenchmarks"/> case (its tokens over the mean time), or,
/// when <c>relative</c>, that figure divided by the baseline case's: the throughput gain over one request.
/// </summary>
internal sealed class TokensPerSecondColumn(bool relative) : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(TokensPerSecondColumn) + (relative ? ".Relative" : "");

    /// <inheritdoc />
    public string ColumnName => relative ? "tok/s vs 1" : "tok/s";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => relative ? 1 : 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => relative
        ? "Generated tokens per second divided by the baseline's (one request)"
        : "Generated tokens per second: output tokens of all requests over the mean time of the batch";

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? rate = TokensPerSecond(summary, benchmarkCase);
        if (!relative)
            return rate?.ToString("F1") ?? "NA";
        BenchmarkCase? baseline = summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.Baseline);
        double? baseRate = baseline is null ? null : TokensPerSecond(summary, baseline);
        return rate is { } r && baseRate is > 0 ? (r / baseRate.Value).ToString("F2") : "NA";
    }

    private static double? TokensPerSecond(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        int tokens = EngineThroughputBenchmarks.GeneratedTokens(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return meanNanoseconds is > 0 ? tokens / meanNanoseconds.Value * 1e9 : null;
    }
}
