namespace GlmRuntime;

/// <summary>The log-probability of one generated token and the most likely alternatives at its position.</summary>
/// <param name="Token">The generated token and its log-probability.</param>
/// <param name="TopLogprobs">The <see cref="SamplingParams.Logprobs"/> most likely tokens, most likely first (empty for 0).</param>
public sealed record GeneratedTokenLogprobs(TokenLogprob Token, IReadOnlyList<TokenLogprob> TopLogprobs);
