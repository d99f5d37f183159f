namespace GlmRuntime;

/// <summary>One turn of a conversation, rendered with the checkpoint's chat template.</summary>
/// <param name="Role">"system", "user", "assistant" or "tool".</param>
/// <param name="Content">The text of the turn.</param>
public sealed record GlmChatMessage(string Role, string Content)
{
    /// <summary>An assistant turn's reasoning (GLM keeps it only for turns after the last user message).</summary>
    public string? ReasoningContent { get; init; }

    /// <summary>The tool calls an assistant turn made.</summary>
    public IReadOnlyList<GlmToolCall>? ToolCalls { get; init; }

    /// <summary>For a "tool" turn: the id of the call it answers.</summary>
    public string? ToolCallId { get; init; }
}
