namespace GlmRuntime;

/// <summary>One turn of a conversation, rendered with the checkpoint's chat template.</summary>
/// <param name="Role">"system", "user", "assistant" or "tool".</param>
/// <param name="Content">The text of the turn.</param>
public sealed record GlmChatMessage(string Role, string Content);
