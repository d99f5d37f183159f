using System.Runtime.CompilerServices;
using GlmChat;

namespace GlmRuntime.Tests.GlmChat;

/// <summary>A fake model for the chat loop: renders the history as "role:content|..." and answers from a script.</summary>
internal sealed class ScriptedChatBackend : IChatBackend
{
    /// <summary>One answer: the text pieces to stream; a null piece means "the user pressed Ctrl+C here".</summary>
    public Queue<string?[]> Answers { get; } = new();

    public List<string> Prompts { get; } = [];

    public List<SamplingParams> Samplings { get; } = [];

    public AnswerCancellation? CtrlC { get; set; }

    public Exception? Failure { get; set; }

    public string FormatPrompt(IReadOnlyList<GlmChatMessage> history, bool enableThinking) =>
        string.Join("|", history.Select(m => $"{m.Role}:{m.Content}")) + (enableThinking ? "|<think>" : "|</think>");

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(string prompt, SamplingParams sampling,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Prompts.Add(prompt);
        Samplings.Add(sampling);
        if (Failure is not null)
            throw Failure;
        string?[] pieces = Answers.Dequeue();
        for (int i = 0; i < pieces.Length; i++)
        {
            if (pieces[i] is not { } text)
            {
                Assert.That(CtrlC!.TryCancelAnswer(), Is.True, "an answer is running, so Ctrl+C cancels it");
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            else
            {
                await Task.Yield();
                bool lastPiece = i == pieces.Length - 1;
                yield return new GenerationUpdate(text, [100 + i], lastPiece ? FinishReason.Stop : null,
                    lastPiece ? new GenerationUsage(prompt.Length, pieces.Length) : null);
            }
        }
    }
}
