using GlmRuntime.Checkpoints;
using GlmRuntime.Cli.Commands;
using GlmRuntime.Configuration;

namespace GlmRuntime.Cli;

/// <summary>Dispatches <c>glm VERB ...</c> and turns failures into one clear line and an exit code.</summary>
internal static class GlmCommand
{
    private static readonly string UsageText = string.Join(Environment.NewLine,
        "usage:",
        "  " + InspectCommand.Usage,
        "  " + TokenizeCommand.Usage,
        "  " + TemplateCommand.Usage,
        "  " + LogitsCommand.Usage,
        "  " + GenerateCommand.Usage,
        "  " + BenchCommand.Usage,
        "  " + DiagnoseCommand.Usage,
        "  " + TuneCommand.Usage,
        "  " + QuantizeCommand.Usage,
        "  " + EvalQuantCommand.Usage);

    public static int Run(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Count == 0 ? error : output).WriteLine(UsageText);
            return args.Count == 0 ? 2 : 0;
        }
        var rest = args.Skip(1).ToList();
        try
        {
            return args[0] switch
            {
                "inspect" => InspectCommand.Run(rest, output, cancellationToken),
                "tokenize" => TokenizeCommand.Run(rest, input, output, cancellationToken),
                "template" => TemplateCommand.Run(rest, input, output, cancellationToken),
                "logits" => LogitsCommand.Run(rest, output, cancellationToken),
                "generate" => GenerateCommand.Run(rest, output, cancellationToken),
                "bench" => BenchCommand.Run(rest, output, error, cancellationToken),
                "diagnose" => DiagnoseCommand.Run(rest, output),
                "tune" => TuneCommand.Run(rest, output, error, cancellationToken),
                "quantize" => QuantizeCommand.Run(rest, output, error, cancellationToken),
                "eval-quant" => EvalQuantCommand.Run(rest, output, cancellationToken),
                _ => throw new UsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (UsageException e)
        {
            error.WriteLine($"glm: {e.Message}");
            error.WriteLine(UsageText);
            return 2;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("glm: cancelled");
            return 130;
        }
        catch (Exception e) when (e is CheckpointException or ConfigException or IOException or InvalidDataException
                                      or Tokenization.TokenizerException or Chat.ChatTemplateException or System.Text.Json.JsonException or ArgumentException
                                      or InvalidOperationException or GlmGpuException or DllNotFoundException)
        {
            error.WriteLine($"glm: {e.Message}");
            return 1;
        }
    }
}
