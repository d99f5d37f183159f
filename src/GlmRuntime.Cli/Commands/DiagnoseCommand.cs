using System.Text.Json;

namespace GlmRuntime.Cli.Commands;

/// <summary><c>glm diagnose [--json]</c>: the CPU kernels' tier, the GPU library, runtime, driver and devices found.</summary>
internal static class DiagnoseCommand
{
    public const string Usage = "glm diagnose [--json]";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var a = Arguments.Parse(args, options: [], flags: ["json"]);
        a.RejectPositional();
        var report = GlmEngine.Diagnose();
        output.Write(a.Flag("json") ? JsonSerializer.Serialize(report, Indented) + Environment.NewLine : report.ToString());
        return 0;
    }
}
