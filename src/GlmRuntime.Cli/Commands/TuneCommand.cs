using GlmRuntime.Configuration;
using GlmRuntime.Native.Tuning;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm tune --model DIR [--out FILE] [--device N] [--tokens 1,8,32] [--iterations N]</c>: times every launch
/// configuration of the model's grouped-MoE shape on this GPU per token bucket and writes the fastest as a kernel
/// config table (pass it as GlmEngineOptions.KernelConfigFile, GLMRT_KERNEL_CONFIGS or --kernel-configs). An existing
/// file keeps its other rows.
/// </summary>
internal static class TuneCommand
{
    public const string Usage = "glm tune --model DIR [--out FILE] [--device N] [--tokens 1,8,32] [--iterations N]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: ["model", "out", "device", "tokens", "iterations"], flags: []);
        a.RejectPositional();
        var config = GlmConfig.Load(a.RequiredOption("model"));
        string file = a.Option("out") ?? "kernel-configs.json";
        int device = a.IntOption("device") ?? 0;
        int iterations = a.IntOption("iterations") ?? 10;
        if (device < 0 || iterations < 1)
            throw new UsageException("options '--device' must not be negative and '--iterations' must be at least 1");
        var tokens = a.IdsOption("tokens");
        if (tokens is not null && tokens.Any(t => t < 1))
            throw new UsageException("option '--tokens' takes positive token counts");
        var tuned = KernelTuner.Tune(config, new KernelTuner.Options(device, tokens, iterations), message => error.WriteLine($"glm tune: {message}"),
            cancellationToken);
        var kept = File.Exists(file) ? KernelConfigTable.LoadFile(file).Where(e => !tuned.Any(t => t.Key == e.Key)) : [];
        KernelConfigTable.Save(file, kept.Concat(tuned));
        output.WriteLine($"wrote {tuned.Count} tuned row(s) to {file}");
        return 0;
    }
}
