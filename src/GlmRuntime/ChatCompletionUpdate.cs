namespace GlmRuntime;

/// <summary>
/// One step of a chat completion (<see cref="GlmEngine.GenerateChatCompletionStreamingAsync"/>): the engine's
/// update with its text divided into reasoning, answer content and tool-call deltas.
/// </summary>
/// <param name="Reasoning">Reasoning text this step completed (before GLM's <c>&lt;/think&gt;</c>).</param>
/// <param name="Content">Answer text this step completed, outside tool-call markup.</param>
/// <param name="ToolCallDeltas">Tool-call pieces this step completed, in OpenAI's streaming shape.</param>
/// <param name="TokenIds">The tokens generated in this step.</param>
/// <param name="FinishReason">Set on the last update: <see cref="GlmRuntime.FinishReason.ToolCalls"/> when the answer stopped after calling tools.</param>
/// <param name="Usage">Set on the last update.</param>
public sealed record ChatCompletionUpdate(string Reasoning, string Content, IReadOnlyList<GlmToolCallDelta> ToolCallDeltas,
    IReadOnlyList<int> TokenIds, FinishReason? FinishReason = null, GenerationUsage? Usage = null)
{
    /// <summary>Logprobs of <see cref="TokenIds"/> when the request asked for them.</summary>
    public IReadOnlyList<GeneratedTokenLogprobs>? Logprobs { get; init; }

    /// <summary>On the last update: every tool call of the answer, complete; empty otherwise.</summary>
    public IReadOnlyList<GlmToolCall> ToolCalls { get; init; } = [];

    /// <summary>On the last update: how many output tokens were reasoning, when that could be told by token id.</summary>
    public int? ReasoningTokenCount { get; init; }
}
