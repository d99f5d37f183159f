using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GlmRuntime.Benchmarks.Tokenization;

/// <summary>Encode throughput: UTF-8 megabytes (10^6 bytes) of input per second, from the mean time per operation.</summary>
internal sealed class MegabytesPerSecondColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(MegabytesPerSecondColumn);

    /// <inheritdoc />
    public string ColumnName => "MB/s";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => "Input UTF-8 megabytes (10^6 bytes) encoded per second";

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        string folder = (string)benchmarkCase.Parameters["Folder"];
        long bytes = TokenizerEncodeBenchmarks.InputBytes(benchmarkCase.Descriptor.WorkloadMethod.Name, folder);
        return meanNanoseconds is > 0 ? (bytes / meanNanoseconds.Value * 1e3).ToString("F1") : "NA";
    }
}
