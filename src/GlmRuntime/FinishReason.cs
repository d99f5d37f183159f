namespace GlmRuntime;

/// <summary>Why a generation ended.</summary>
public enum FinishReason
{
    /// <summary>An eos or stop token or a stop string was produced (it is not part of the text).</summary>
    Stop,

    /// <summary><see cref="SamplingParams.MaxTokens"/> or the context limit was reached.</summary>
    Length,

    /// <summary>
    /// The answer ended (as <see cref="Stop"/>) after one or more tool calls; only chat completions with tools report
    /// it (<see cref="GlmEngine.GenerateChatCompletionStreamingAsync"/>).
    /// </summary>
    ToolCalls,
}
