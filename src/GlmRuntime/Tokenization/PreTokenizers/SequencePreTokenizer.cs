namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>Applies several pre-tokenisers in order, each to every piece the previous one produced.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<PreTokenizer> preTokenizers) : PreTokenizer
{
    /// <inheritdoc />
    public override bool EndsWithByteLevel => preTokenizers.Count > 0 && preTokenizers[^1].EndsWithByteLevel;

    /// <inheritdoc />
    public override void PreTokenize(ref List<ReadOnlyMemory<char>> pieces, ref List<ReadOnlyMemory<char>> scratch, bool firstAtTextStart)
    {
        foreach (PreTokenizer preTokenizer in preTokenizers)
            preTokenizer.PreTokenize(ref pieces, ref scratch, firstAtTextStart);
    }

    /// <inheritdoc />
    protected override void SplitPiece(ReadOnlyMemory<char> piece, bool atTextStart, List<ReadOnlyMemory<char>> output) =>
        throw new InvalidOperationException("A sequence splits whole lists, never single pieces.");
}
