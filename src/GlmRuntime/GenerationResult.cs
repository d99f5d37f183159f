namespace GlmRuntime;

/// <summary>A finished generation.</summary>
/// <param name="Text">The generated text (a final stop token or stop string excluded).</param>
/// <param name="OutputTokenIds">Every generated token, a final stop token included.</param>
/// <param name="FinishReason">Why it ended.</param>
/// <param name="Usage">Token counts and latency.</param>
public sealed record GenerationResult(string Text, IReadOnlyList<int> OutputTokenIds, FinishReason FinishReason, GenerationUsage Usage)
{
    /// <summary>One entry per output token when <see cref="SamplingParams.Logprobs"/> was set, else null.</summary>
    public IReadOnlyList<GeneratedTokenLogprobs>? Logprobs { get; init; }
}
