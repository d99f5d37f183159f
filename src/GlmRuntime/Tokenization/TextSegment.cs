namespace GlmRuntime.Tokenization;

/// <summary>A slice of text that is either plain text (<see cref="TokenId"/> &lt; 0) or one added token.</summary>
/// <param name="Start">Offset of the slice in the text that was split.</param>
/// <param name="Length">Length of the slice.</param>
/// <param name="TokenId">The added token's id, or -1 for plain text.</param>
internal readonly record struct TextSegment(int Start, int Length, int TokenId)
{
    /// <summary>True for an added token.</summary>
    public bool IsToken => TokenId >= 0;
}
