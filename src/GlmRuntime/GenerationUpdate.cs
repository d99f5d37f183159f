namespace GlmRuntime;

/// <summary>
/// One streamed step of a generation: the text it completes and the token ids behind it. Token ids are the
/// source of truth; <see cref="Text"/> holds only whole UTF-8 characters, so a character split across tokens
/// arrives with the token that completes it, and text that may begin a stop string is held back until it is
/// decided. The last update carries <see cref="FinishReason"/> and <see cref="Usage"/>.
/// </summary>
/// <param name="Text">Text added by this step (may be empty).</param>
/// <param name="TokenIds">Tokens generated in this step.</param>
/// <param name="FinishReason">Set on the final update.</param>
/// <param name="Usage">Set on the final update.</param>
public sealed record GenerationUpdate(string Text, IReadOnlyList<int> TokenIds, FinishReason? FinishReason = null, GenerationUsage? Usage = null)
{
    /// <summary>One entry per token of <see cref="TokenIds"/> when <see cref="SamplingParams.Logprobs"/> is set, else null.</summary>
    public IReadOnlyList<GeneratedTokenLogprobs>? Logprobs { get; init; }
}
