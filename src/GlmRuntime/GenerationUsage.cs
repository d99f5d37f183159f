namespace GlmRuntime;

/// <summary>Token counts and latency of one request.</summary>
/// <param name="PromptTokenCount">Tokens of the prompt.</param>
/// <param name="CompletionTokenCount">Tokens generated (a final stop token included).</param>
/// <param name="CachedTokenCount">Prompt tokens whose KV came from the prefix cache instead of being prefilled.</param>
/// <param name="TimeToFirstToken">From submission to the first generated token.</param>
public sealed record GenerationUsage(int PromptTokenCount, int CompletionTokenCount, int CachedTokenCount = 0, TimeSpan TimeToFirstToken = default)
{
    /// <summary>What speculative decoding did for this request; null when it is off.</summary>
    public SpeculativeDecodingStatistics? Speculative { get; init; }

    /// <summary>Prompt plus completion.</summary>
    public int TotalTokenCount => PromptTokenCount + CompletionTokenCount;
}
