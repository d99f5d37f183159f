using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GlmRuntime.Benchmarks.Engine;

/// <summary>
/// Generated tokens per second of an engine benchmark case (its tokens over the mean time), or, when a baseline is
/// given, that figure divided by the baseline case's: a throughput gain measured in the same run.
/// </summary>
/// <param name="name">Column header.</param>
/// <param name="legend">What the column means.</param>
/// <param name="tokensOf">Tokens one operation of a case generates.</param>
/// <param name="baselineOf">The case to divide by, or null for the absolute rate.</param>
internal sealed class TokensPerSecondColumn(string name, string legend, Func<BenchmarkCase, int> tokensOf,
    Func<Summary, BenchmarkCase, BenchmarkCase?>? baselineOf = null) : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(TokensPerSecondColumn) + "." + name;

    /// <inheritdoc />
    public string ColumnName => name;

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => baselineOf is null ? 0 : 1;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => legend;

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
        if (baselineOf is null)
            return rate?.ToString("F1") ?? "NA";
        BenchmarkCase? baseline = baselineOf(summary, benchmarkCase);
        double? baseRate = baseline is null ? null : TokensPerSecond(summary, baseline);
        return rate is { } r && baseRate is > 0 ? (r / baseRate.Value).ToString("F2") : "NA";
    }

    private double? TokensPerSecond(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return meanNanoseconds is > 0 ? tokensOf(benchmarkCase) / meanNanoseconds.Value * 1e9 : null;
    }
}
