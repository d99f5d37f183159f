using GlmRuntime.Diagnostics;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm bench cpu [--json] [--threads N] [--model DIR] [--activations int8|float32] [--kernels-only] [--quick]</c>: the machine's read bandwidth and compute peaks,
/// each CPU kernel's achieved rate and its fraction of the binding limit, and the synthetic GLM-5-shaped model's
/// decode (batch 1, 4, 16, 64) and prefill speed, all measured in one run (see README.md for the keys).
/// <c>glm bench serve ...</c>: the serving benchmark (<see cref="BenchServeCommand"/>).
/// <c>glm bench gpu [--json] [--device N] [--quick]</c>: the GPU's copy bandwidth and each native kernel's time and
/// fraction of it (<see cref="GlmRuntime.Native.GpuBench"/>).
/// <c>glm bench kernels [--json] [--device N] [--quick] [--kernel-configs FILE]</c>: the grouped MoE and sparse MLA decode
/// at GLM-5's shapes against the copy bandwidth (<see cref="GlmRuntime.Native.GpuKernelBench"/>).
/// </summary>
internal static class BenchCommand
{
    public const string Usage = "glm bench cpu [--json] [--threads N] [--model DIR] [--activations int8|float32] [--kernels-only] [--quick]" +
        " | " + BenchServeCommand.Usage + " | " + BenchQuantizeCommand.Usage + " | glm bench gpu [--json] [--device N] [--quick] | glm bench kernels [--json] [--device N] [--quick] [--kernel-configs FILE]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Count > 0 && args[0] == "serve")
            return BenchServeCommand.Run(args.Skip(1).ToList(), output, error, cancellationToken);
        if (args.Count > 0 && args[0] == "quantize")
            return BenchQuantizeCommand.Run(args.Skip(1).ToList(), output, error, cancellationToken);
        var a = Arguments.Parse(args, options: ["threads", "model", "activations", "device", "kernel-configs"], flags: ["json", "quick", "kernels-only"]);
        string benchmark = a.SinglePositional("benchmark");
        if (benchmark is "gpu" or "kernels")
            return RunGpu(a, benchmark, output, error);
        if (benchmark != "cpu")
            throw new UsageException($"unknown benchmark '{benchmark}' (cpu, serve, quantize, gpu or kernels)");
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

    private static int RunGpu(Arguments a, string benchmark, TextWriter output, TextWriter error)
    {
        int device = a.IntOption("device") ?? 0;
        if (device < 0)
            throw new UsageException("option '--device' must not be negative");
        Action<string> log = message => error.WriteLine($"glm bench: {message}");
        var report = benchmark == "gpu"
            ? Native.GpuBench.Run(device, a.Flag("quick"), log)
            : Native.GpuKernelBench.Run(device, a.Flag("quick"), a.Option("kernel-configs"), log);
        if (a.Flag("json"))
            output.WriteLine(report.ToJson());
        else
            report.WriteTable(output);
        return 0;
    }
}
