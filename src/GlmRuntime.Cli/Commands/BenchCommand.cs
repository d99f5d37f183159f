using GlmRuntime.Diagnostics;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm bench cpu [--json] [--threads N] [--model DIR] [--activations int8|float32] [--kernels-only] [--quick]</c>: the machine's read bandwidth and compute peaks,
/// each CPU kernel's achieved rate and its fraction of the binding limit, and the synthetic GLM-5-shaped model's
/// decode (batch 1, 4, 16, 64) and prefill speed, all measured in one run (see README.md for the keys).
/// </summary>
internal static class BenchCommand
{
    public const string Usage = "glm bench cpu [--json] [--threads N] [--model DIR] [--activations int8|float32] [--kernels-only] [--quick]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: ["threads", "model", "activations"], flags: ["json", "quick", "kernels-only"]);
        if (a.SinglePositional("benchmark") != "cpu")
            throw new UsageException($"unknown benchmark '{a.Positional[0]}' (only 'cpu')");
        int threads = a.IntOption("threads") ?? Environment.ProcessorCount;
        if (threads < 1)
            throw new UsageException("option '--threads' must be at least 1");
        var activations = (a.Option("activations") ?? "int8") switch
        {
            "int8" => CpuActivationPrecision.Int8,
            "float32" => CpuActivationPrecision.Float32,
            var other => throw new UsageException($"option '--activations' must be int8 or float32, not '{other}'"),
        };
        var options = new CpuBenchOptions
        {
            Activations = activations,
            KernelsOnly = a.Flag("kernels-only"),
            Threads = threads,
            Quick = a.Flag("quick"),
            ModelDirectory = a.Option("model") ?? SyntheticModelProbe.DefaultDirectory,
        };
        var report = CpuBench.Run(options, message => error.WriteLine($"glm bench: {message}"), cancellationToken);
        if (a.Flag("json"))
        {
            using var stream = new MemoryStream();
            report.WriteJson(stream);
            output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        }
        else
        {
            report.WriteTable(output);
        }
        return 0;
    }
}
