using System.Globalization;
using System.Text.Json;
using GlmRuntime.Checkpoints.Quantization;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm quantize --model DIR --out DIR [--format mxfp4|fp8] [--exclude PATTERN ...] [--no-default-excludes]
/// [--threads N] [--max-shard-gb G] [--json]</c>: a BF16 (or FP8) checkpoint to a complete MXFP4 checkpoint in AMD
/// Quark's export layout, or to GLM-5-FP8's block-scaled FP8 (<see cref="CheckpointQuantizer"/>).
/// </summary>
internal static class QuantizeCommand
{
    public const string Usage =
        "glm quantize --model DIR --out DIR [--format mxfp4|fp8] [--exclude PATTERN ...] [--no-default-excludes] [--whole-blocks] [--threads N] [--max-shard-gb G] [--json]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: ["model", "out", "format", "exclude", "threads", "max-shard-gb"], flags: ["no-default-excludes", "whole-blocks", "json"]);
        a.RejectPositional();
        var options = new QuantizeOptions
        {
            Format = (a.Option("format") ?? "mxfp4") switch
            {
                "mxfp4" => QuantizationFormat.Mxfp4,
                "fp8" => QuantizationFormat.Fp8,
                var other => throw new UsageException($"option '--format' must be mxfp4 or fp8, not '{other}'"),
            },
            Exclude = a.Values("exclude"),
            DefaultExclusions = !a.Flag("no-default-excludes"),
            RequireWholeBlocks = a.Flag("whole-blocks"),
            Threads = a.IntOption("threads"),
            MaxShardBytes = a.DoubleOption("max-shard-gb") is double gb ? (long)(gb * (1L << 30)) : 5L << 30,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"option for {e.ParamName} is out of range");
        }

        int lastDecile = -1;
        var progress = new SynchronousProgress<QuantizeProgress>(p =>
        {
            int decile = p.TensorsDone * 10 / p.TensorCount;
            if (decile != lastDecile)
            {
                lastDecile = decile;
                error.WriteLine($"glm quantize: {p.TensorsDone}/{p.TensorCount} tensors, {p.SourceBytesDone / 1e9:0.00} GB read");
            }
        });
        var report = CheckpointQuantizer.QuantizeAsync(a.RequiredOption("model"), a.RequiredOption("out"), options, progress, cancellationToken)
            .GetAwaiter().GetResult();
        if (a.Flag("json"))
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                format = options.Format.ToString().ToLowerInvariant(),
                quantized_modules = report.QuantizedModuleCount,
                excluded_modules = report.ExcludedModules,
                source_bytes = report.SourceBytes,
                output_bytes = report.OutputBytes,
                shards = report.ShardCount,
                seconds = report.Elapsed.TotalSeconds,
                source_gb_per_s = report.SourceGigabytesPerSecond,
                peak_working_set_bytes = report.PeakWorkingSetBytes,
                peak_managed_bytes = report.PeakManagedBytes,
            }));
        }
        else
        {
            output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "quantized {0} modules to {1} ({2} left in BF16): {3:0.000} GB in, {4:0.000} GB out in {5} shard(s), {6:0.0} s = {7:0.00} GB/s of source; peak working set {8:0.00} GB, peak managed heap {9:0.00} GB",
                report.QuantizedModuleCount, options.Format, report.ExcludedModules.Count, report.SourceBytes / 1e9, report.OutputBytes / 1e9,
                report.ShardCount, report.Elapsed.TotalSeconds, report.SourceGigabytesPerSecond, report.PeakWorkingSetBytes / 1e9, report.PeakManagedBytes / 1e9));
        }
        return 0;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder the lines).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
