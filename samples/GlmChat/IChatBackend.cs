using GlmRuntime;

namespace GlmChat;

/// <summary>
/// What the chat loop needs from a model: render a conversation and stream a continuation. <see cref="GlmEngine"/>
/// provides it through <see cref="EngineChatBackend"/>; tests use a scripted fake, so the loop is tested without weights.
/// </summary>
internal interface IChatBackend
{
    /// <summary>
    /// The conversation rendered with the model's chat template, ending with the assistant prompt, which opens the
    /// reasoning block or, with <paramref name="enableThinking"/> false, closes it.
    /// </summary>
    string FormatPrompt(IReadOnlyList<GlmChatMessage> history, bool enableThinking);

    /// <summary>Streams the answer to <paramref name="prompt"/>; the last update carries the finish reason and usage.</summary>
    IAsyncEnumerable<GenerationUpdate> GenerateAsync(string prompt, SamplingParams sampling, CancellationToken cancellationToken);
}
