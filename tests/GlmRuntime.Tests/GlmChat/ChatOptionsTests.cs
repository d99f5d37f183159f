using GlmChat;

namespace GlmRuntime.Tests.GlmChat;

public class ChatOptionsTests
{
    [Test]
    public void NoArgumentsRunTheDemoModelWithTheModelsDefaults()
    {
        ChatOptions options = ChatOptions.Parse([]);
        Assert.That(options.ModelDirectory, Is.Null);
        Assert.That(options.Thinking, Is.True);
        var defaults = new SamplingParams { Temperature = 0.7, TopP = 0.9, TopK = 20, MaxTokens = 100 };
        Assert.That(options.ApplyTo(defaults), Is.EqualTo(defaults));
    }

    [Test]
    public void EveryOptionIsRead()
    {
        ChatOptions options = ChatOptions.Parse(["--model", "/m", "--max-tokens", "64", "--temperature=0", "--top-p", "0.5", "--top-k", "-1",
            "--seed", "9000000000", "--system", "Be brief.", "--no-think"]);
        Assert.That(options, Is.EqualTo(new ChatOptions
        {
            ModelDirectory = "/m", MaxTokens = 64, Temperature = 0, TopP = 0.5, TopK = -1, Seed = 9_000_000_000, SystemPrompt = "Be brief.", Thinking = false,
        }));
        SamplingParams sampling = options.ApplyTo(new SamplingParams { TopK = 50, MinP = 0.1 });
        Assert.That(sampling, Is.EqualTo(new SamplingParams { MaxTokens = 64, Temperature = 0, TopP = 0.5, TopK = -1, Seed = 9_000_000_000, MinP = 0.1 }));
    }

    [TestCase("--help")]
    [TestCase("-h")]
    public void HelpIsAFlag(string flag) => Assert.That(ChatOptions.Parse([flag]).ShowHelp, Is.True);

    [TestCase("option '--max-tokens' expects an integer, got 'lots'", "--max-tokens", "lots")]
    [TestCase("option '--max-tokens' must be at least 1, got 0", "--max-tokens", "0")]
    [TestCase("option '--temperature' must be ≥ 0, got -1", "--temperature", "-1")]
    [TestCase("option '--temperature' expects a number, got 'inf'", "--temperature", "inf")]
    [TestCase("option '--top-p' must be in (0, 1], got 0", "--top-p", "0")]
    [TestCase("option '--top-k' expects an integer, got '1.5'", "--top-k", "1.5")]
    [TestCase("option '--seed' expects an integer, got 'abc'", "--seed=abc")]
    [TestCase("option '--model' needs a value", "--model")]
    [TestCase("unknown option '--modle'", "--modle", "x")]
    [TestCase("unknown option 'hello'", "hello")]
    [TestCase("unknown option '--no-think=1'", "--no-think=1")]
    public void ErrorsNameTheOption(string message, params string[] args)
    {
        var ex = Assert.Throws<ArgumentException>(() => ChatOptions.Parse(args));
        Assert.That(ex!.Message, Is.EqualTo(message));
    }
}
