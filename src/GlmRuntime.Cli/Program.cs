using GlmRuntime.Cli;

// The `glm` tool: one verb per command, errors as one line on stderr, exit 1 on failure and 2 on misuse.
Console.OutputEncoding = System.Text.Encoding.UTF8;
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return GlmCommand.Run(args, Console.In, Console.Out, Console.Error, cancellation.Token);
