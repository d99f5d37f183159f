namespace GlmRuntime;

/// <summary>Token counts of one request.</summary>
/// <param name="PromptTokenCount">Tokens of the prompt.</param>
/// <param name="CompletionTokenCount">Tokens generated (a final stop token included).</param>
public sealed record GenerationUsage(int PromptTokenCount, int CompletionTokenCount)
{
    /// <summary>Prompt plus completion.</summary>
    public int TotalTokenCount => PromptTokenCount + CompletionTokenCount;
}
