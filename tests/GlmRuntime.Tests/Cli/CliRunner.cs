using GlmRuntime.Cli;

namespace GlmRuntime.Tests.Cli;

/// <summary>Runs <c>glm</c> in-process with captured streams.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = GlmCommand.Run(args, new StringReader(stdin), output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
