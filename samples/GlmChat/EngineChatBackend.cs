using GlmRuntime;

namespace GlmChat;

/// <summary>The chat loop's model: a loaded <see cref="GlmEngine"/> (owned by the caller).</summary>
internal sealed class EngineChatBackend(GlmEngine engine) : IChatBackend
{
    public string FormatPrompt(IReadOnlyList<GlmChatMessage> history, bool enableThinking) =>
        engine.FormatChatPrompt(history, addGenerationPrompt: true, enableThinking: enableThinking);

    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(string prompt, SamplingParams sampling, CancellationToken cancellationToken) =>
        engine.GenerateStreamingAsync(prompt, sampling, cancellationToken);
}
