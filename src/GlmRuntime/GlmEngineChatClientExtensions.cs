using Microsoft.Extensions.AI;

namespace GlmRuntime;

/// <summary>Microsoft.Extensions.AI adapters for <see cref="GlmEngine"/>.</summary>
public static class GlmEngineChatClientExtensions
{
    /// <summary>
    /// Wraps the engine in an <see cref="IChatClient"/> (a <see cref="GlmChatClient"/>). Disposing the client leaves
    /// the engine alone: the caller still owns it and disposes it after the client's last use.
    /// </summary>
    /// <param name="engine">A loaded engine with a tokenizer.</param>
    /// <param name="modelId">Model id reported in responses and metadata; defaults to config.json's model_type.</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The engine's checkpoint has no tokenizer.</exception>
    public static IChatClient AsChatClient(this GlmEngine engine, string? modelId = null) => new GlmChatClient(engine, modelId);
}
