using GlmChat;

namespace GlmRuntime.Tests.GlmChat;

public class ChatReplTests
{
    private ScriptedChatBackend _backend = null!;
    private AnswerCancellation _ctrlC = null!;
    private StringWriter _output = null!;

    // NUnit reuses one fixture instance for all its tests, so each test gets fresh fakes here.
    [SetUp]
    public void CreateFakes()
    {
        _backend = new ScriptedChatBackend();
        _ctrlC = new AnswerCancellation();
        _output = new StringWriter();
    }

    private ChatRepl Run(string input, string? system = null, bool thinking = true)
    {
        _backend.CtrlC = _ctrlC;
        var repl = new ChatRepl(_backend, SamplingParams.Greedy with { MaxTokens = 9 }, system, thinking, new StringReader(input), _output, _ctrlC);
        repl.RunAsync().GetAwaiter().GetResult();
        return repl;
    }

    [Test]
    public void StreamsTheAnswerAndKeepsBothTurnsInTheHistory()
    {
        _backend.Answers.Enqueue(["Hel", "lo", "!"]);
        _backend.Answers.Enqueue(["Fine."]);
        ChatRepl repl = Run("Hi there\nHow are you?\n", system: "Be brief.");

        Assert.That(repl.History, Is.EqualTo(new GlmChatMessage[]
        {
            new("system", "Be brief."), new("user", "Hi there"), new("assistant", "Hello!"), new("user", "How are you?"), new("assistant", "Fine."),
        }));
        Assert.That(_backend.Prompts, Is.EqualTo(new[]
        {
            "system:Be brief.|user:Hi there|<think>",
            "system:Be brief.|user:Hi there|assistant:Hello!|user:How are you?|<think>",
        }));
        Assert.That(_backend.Samplings.All(s => s.MaxTokens == 9 && s.Temperature == 0), Is.True);
        string text = _output.ToString();
        Assert.That(text, Does.Contain("> Hello!" + Environment.NewLine));
        Assert.That(text, Does.Match(@"\[3 tokens in [0-9.]+ s, [0-9.]+ tokens/s, prompt 38 tokens; stop\]"));
    }

    [Test]
    public void ResetClearsTheConversationButKeepsTheSystemPrompt()
    {
        _backend.Answers.Enqueue(["a1"]);
        _backend.Answers.Enqueue(["a2"]);
        ChatRepl repl = Run("q1\n/reset\nq2\n", system: "S");
        Assert.That(repl.History, Is.EqualTo(new GlmChatMessage[] { new("system", "S"), new("user", "q2"), new("assistant", "a2") }));
        Assert.That(_backend.Prompts[1], Is.EqualTo("system:S|user:q2|<think>"));
        Assert.That(_output.ToString(), Does.Contain("(conversation cleared)"));
    }

    [TestCase("/exit")]
    [TestCase("/quit")]
    [TestCase("  /EXIT  ")]
    public void ExitStopsReadingInput(string exit)
    {
        _backend.Answers.Enqueue(["a1"]);
        ChatRepl repl = Run($"q1\n{exit}\nnever sent\n");
        Assert.That(_backend.Prompts, Has.Count.EqualTo(1));
        Assert.That(repl.History.Last(), Is.EqualTo(new GlmChatMessage("assistant", "a1")));
    }

    [Test]
    public void EndOfInputQuits()
    {
        ChatRepl repl = Run("");
        Assert.That(repl.History, Is.Empty);
        Assert.That(_backend.Prompts, Is.Empty);
    }

    [Test]
    public void BlankLinesHelpAndUnknownCommandsSendNothing()
    {
        Run("\n   \n/help\n/frobnicate now\n");
        Assert.That(_backend.Prompts, Is.Empty);
        string text = _output.ToString();
        Assert.That(text, Does.Contain("unknown command '/frobnicate now' (type /help)"));
        Assert.That(text.Split(ReplInput.Help).Length - 1, Is.EqualTo(2), "once at the start, once for /help");
    }

    [Test]
    public void CtrlCStopsOnlyTheRunningAnswer()
    {
        _backend.Answers.Enqueue(["partial ", null]);
        _backend.Answers.Enqueue(["second"]);
        ChatRepl repl = Run("first\nagain\n");

        Assert.That(_output.ToString(), Does.Contain("partial " + Environment.NewLine + "[answer stopped]"));
        Assert.That(repl.History, Is.EqualTo(new GlmChatMessage[]
        {
            new("user", "first"), new("assistant", "partial "), new("user", "again"), new("assistant", "second"),
        }));
        Assert.That(_ctrlC.TryCancelAnswer(), Is.False, "back at the prompt, Ctrl+C is left to end the process");
    }

    [Test]
    public void NoThinkClosesTheReasoningBlockInThePrompt()
    {
        _backend.Answers.Enqueue(["ok"]);
        Run("hi\n", thinking: false);
        Assert.That(_backend.Prompts.Single(), Is.EqualTo("user:hi|</think>"));
    }

    [Test]
    public void AFailedAnswerDropsItsTurnAndTheLoopGoesOn()
    {
        _backend.Failure = new ArgumentException("The prompt (600 tokens) exceeds the context (512).");
        ChatRepl repl = Run("too long\n/exit\n");
        Assert.That(repl.History, Is.Empty);
        Assert.That(_output.ToString(), Does.Contain("[error: The prompt (600 tokens) exceeds the context (512). (/reset starts a new conversation)]"));
    }

    [TestCase("hello", nameof(ReplCommand.Say), "hello")]
    [TestCase("  spaced out  ", nameof(ReplCommand.Say), "spaced out")]
    [TestCase("//etc/hosts", nameof(ReplCommand.Say), "/etc/hosts")]
    [TestCase("", nameof(ReplCommand.Empty), "")]
    [TestCase("/reset", nameof(ReplCommand.Reset), "")]
    [TestCase("/Reset ", nameof(ReplCommand.Reset), "")]
    [TestCase("/exit", nameof(ReplCommand.Exit), "")]
    [TestCase("/help", nameof(ReplCommand.Help), "")]
    [TestCase("/resetx", nameof(ReplCommand.Unknown), "/resetx")]
    public void ParsesTypedLines(string line, string command, string message)
    {
        Assert.That(ReplInput.Parse(line), Is.EqualTo((Enum.Parse<ReplCommand>(command), message)));
    }
}
