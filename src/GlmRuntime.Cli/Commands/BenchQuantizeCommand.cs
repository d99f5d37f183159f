using System.Globalization;
using GlmRuntime.Checkpoints;
using GlmRuntime.Checkpoints.Quantization;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm bench quantize [--format mxfp4|fp8|both] [--threads N] [--root DIR]</c>: the quantizer's throughput on the
/// synthetic GLM-5-shaped model (hidden 2048, 64 experts of 512, 6 layers: 2.3 GB of BF16), written once as BF16
/// under ROOT; the outputs stay beside it for <c>glm eval-quant</c>.
/// </summary>
internal static class BenchQuantizeCommand
{
    public const string Usage = "glm bench quantize [--format mxfp4|fp8|both] [--threads N] [--root DIR]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: ["format", "threads", "root"], flags: []);
        a.RejectPositional();
        string root = a.Option("root") ?? Path.Combine(Path.GetTempPath(), "glmruntime-synthetic-quantize");
        QuantizationFormat[] formats = (a.Option("format") ?? "both") switch
        {
            "mxfp4" => [QuantizationFormat.Mxfp4],
            "fp8" => [QuantizationFormat.Fp8],
            "both" => [QuantizationFormat.Mxfp4, QuantizationFormat.Fp8],
            var other => throw new UsageException($"option '--format' must be mxfp4, fp8 or both, not '{other}'"),
        };
        string source = Path.Combine(root, "bf16");
        string marker = Path.Combine(source, "synthetic.version");
        if (!File.Exists(marker))
        {
            error.WriteLine($"glm bench quantize: writing the BF16 synthetic GLM-5-shaped model to {source} (once)");
            if (Directory.Exists(source))
                Directory.Delete(source, recursive: true);
            TinyCheckpointWriter.Write(source, TinyCheckpointWriter.SyntheticGlm5Config(), new TinyCheckpointOptions { Format = TinyCheckpointFormat.BF16, Seed = 6 });
            File.WriteAllText(marker, "bf16-v1");
        }
        foreach (var format in formats)
        {
            string target = Path.Combine(root, format.ToString().ToLowerInvariant());
            if (Directory.Exists(target))
                Directory.Delete(target, recursive: true);
            var report = CheckpointQuantizer.QuantizeAsync(source, target, new QuantizeOptions { Format = format, Threads = a.IntOption("threads") },
                cancellationToken: cancellationToken).GetAwaiter().GetResult();
            output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{0}: {1:0.000} GB of BF16 in {2:0.00} s = {3:0.000} GB/s ({4} threads); {5:0.000} GB out; peak working set {6:0.00} GB (mapped source pages included), peak managed heap {7:0.00} GB; {8}",
                format, report.SourceBytes / 1e9, report.Elapsed.TotalSeconds, report.SourceGigabytesPerSecond, a.IntOption("threads") ?? Environment.ProcessorCount,
                report.OutputBytes / 1e9, report.PeakWorkingSetBytes / 1e9, report.PeakManagedBytes / 1e9, target));
        }
        return 0;
    }
}
