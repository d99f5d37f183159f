// GlmChat: a console chat with a GLM-5-family model.
//
//   dotnet run --project samples/GlmChat                       the built-in demo model (random weights)
//   dotnet run --project samples/GlmChat -- --model DIR        a real checkpoint
using GlmChat;
using GlmRuntime;
using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;
using GlmRuntime.Tokenization;

Console.OutputEncoding = System.Text.Encoding.UTF8;
ChatOptions options;
try
{
    options = ChatOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"GlmChat: {e.Message}");
    Console.Error.WriteLine(ChatOptions.Usage);
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(ChatOptions.Usage);
    return 0;
}

string model;
GlmEngine engine;
var progress = new LoadProgressBar(Console.Error);
try
{
    model = options.ModelDirectory ?? DemoModel.EnsureCreated(DemoModel.DefaultDirectory());
    if (DemoModel.IsDemoModel(model))
    {
        Console.WriteLine($"""
            *** DEMO MODEL: a tiny GLM-5-architecture model with RANDOM WEIGHTS; expect gibberish. ***
                {model}
                Run with --model DIR to chat with a real GLM-5 checkpoint.
            """);
    }
    engine = await GlmEngine.LoadAsync(model, progress: progress);
    progress.Complete();
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigException or CheckpointException or TokenizerException or ArgumentException)
{
    progress.Complete();
    Console.Error.WriteLine($"GlmChat: {e.Message}");
    return 1;
}
await using var ownedEngine = engine;
if (engine.Tokenizer is null)
{
    Console.Error.WriteLine($"GlmChat: '{model}' has no tokenizer.json; a chat needs one.");
    return 1;
}

// Special tokens stay in the text: "</think>" separates reasoning from answer, and the chat template needs it
// in the history to drop old reasoning.
SamplingParams sampling = options.ApplyTo(engine.DefaultSamplingParams) with { SkipSpecialTokens = false };

var answers = new AnswerCancellation();
Console.CancelKeyPress += (_, e) => e.Cancel = answers.TryCancelAnswer();
var repl = new ChatRepl(new EngineChatBackend(engine), sampling, options.SystemPrompt, options.Thinking, Console.In, Console.Out, answers);
await repl.RunAsync();
return 0;
