using GlmChat;
using GlmRuntime.Checkpoints;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.GlmChat;

/// <summary>The console chat on the demo model with the real engine: needs GlmEngine and the forward pass.</summary>
public class GlmChatDemoTests
{
    [Test]
    public async Task ChatsWithTheDemoModel()
    {
        using var dir = new TempDirectory();
        string model = DemoModel.EnsureCreated(dir.File("demo"));
        await using GlmEngine engine = await GlmEngine.LoadAsync(model);
        Assert.That(engine.Tokenizer, Is.Not.Null);
        Assert.That(engine.FormatChatPrompt([new GlmChatMessage("user", "Hi")]), Is.EqualTo("[gMASK]<sop><|user|>Hi<|assistant|><think>"));
        Assert.That(engine.FormatChatPrompt([new GlmChatMessage("user", "Hi")], enableThinking: false), Is.EqualTo("[gMASK]<sop><|user|>Hi<|assistant|></think>"));

        var output = new StringWriter();
        var sampling = new ChatOptions { MaxTokens = 6, Seed = 1 }.ApplyTo(engine.DefaultSamplingParams) with { SkipSpecialTokens = false };
        var repl = new ChatRepl(new EngineChatBackend(engine), sampling, "Be brief.", thinking: true,
            new StringReader("Hello!\nAnd again?\n/exit\n"), output, new AnswerCancellation());
        await repl.RunAsync();

        Assert.That(repl.History.Select(m => m.Role), Is.EqualTo(new[] { "system", "user", "assistant", "user", "assistant" }));
        Assert.That(output.ToString(), Does.Match(@"\[[1-6] tokens? in [0-9.]+ s, [0-9.]+ tokens/s, prompt \d+ tokens; (stop|length limit)\]"));
    }
}
