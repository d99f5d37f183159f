namespace GlmRuntime.Sampling;

/// <summary>One token drawn by a <see cref="RequestSampler"/>.</summary>
/// <param name="TokenId">The chosen token.</param>
/// <param name="Logprobs">Its log-probability and the top alternatives from the raw logits; null unless
/// <see cref="SamplingParams.Logprobs"/> is set.</param>
internal readonly record struct SampledToken(int TokenId, GeneratedTokenLogprobs? Logprobs);
