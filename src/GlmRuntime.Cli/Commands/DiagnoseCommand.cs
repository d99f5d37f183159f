using System.Text.Json;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm diagnose [--json] [--model DIR] [--kernel-configs FILE]</c>: the CPU kernels' tier, the GPU library, runtime,
/// driver and devices found, and the GPU kernel shapes without a tuned configuration (with --model: the model's shapes
/// each visible GPU lacks a row for).
/// </summary>
internal static class DiagnoseCommand
{
    public const string Usage = "glm diagnose [--json] [--model DIR] [--kernel-configs FILE]";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var a = Arguments.Parse(args, options: ["model", "kernel-configs"], flags: ["json"]);
        a.RejectPositional();
        var report = a.Option("model") is { } model ? GlmEngine.Diagnose(model, a.Option("kernel-configs")) : GlmEngine.Diagnose();
        output.Write(a.Flag("json") ? JsonSerializer.Serialize(report, Indented) + Environment.NewLine : report.ToString());
        return 0;
    }
}
