namespace GlmRuntime;

/// <summary>A token and its natural-log probability under the model.</summary>
/// <param name="TokenId">The token.</param>
/// <param name="Logprob">ln p(token).</param>
public readonly record struct TokenLogprob(int TokenId, float Logprob);
