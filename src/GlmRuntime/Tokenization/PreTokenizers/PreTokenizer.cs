namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>
/// A pre-tokeniser from tokenizer.json's <c>pre_tokenizer</c> section: splits pieces of text into
/// smaller pieces that the model encodes independently. Pieces are slices of strings
/// (<see cref="ReadOnlyMemory{T}"/>) so that splitting allocates nothing; empty pieces are dropped,
/// as in the Rust library.
/// </summary>
internal abstract class PreTokenizer
{
    /// <summary>
    /// True when this pre-tokeniser ends with a ByteLevel step whose byte-to-character mapping was left
    /// to the model: the pieces it outputs are still plain text, and the BPE model reads their UTF-8 bytes.
    /// </summary>
    public virtual bool EndsWithByteLevel => false;

    /// <summary>
    /// Splits every piece of <paramref name="pieces"/>. On return <paramref name="pieces"/> holds the
    /// result and <paramref name="scratch"/> is free for reuse (the two lists may be swapped).
    /// </summary>
    /// <param name="pieces">The pieces to split, in order.</param>
    /// <param name="scratch">A spare list.</param>
    /// <param name="firstAtTextStart">Whether the first piece starts at the beginning of the input text (Metaspace's "first" scheme).</param>
    public virtual void PreTokenize(ref List<ReadOnlyMemory<char>> pieces, ref List<ReadOnlyMemory<char>> scratch, bool firstAtTextStart)
    {
        scratch.Clear();
        for (int i = 0; i < pieces.Count; i++)
            SplitPiece(pieces[i], firstAtTextStart && i == 0, scratch);
        (pieces, scratch) = (scratch, pieces);
    }

    /// <summary>Appends the non-empty pieces that <paramref name="piece"/> splits into.</summary>
    protected abstract void SplitPiece(ReadOnlyMemory<char> piece, bool atTextStart, List<ReadOnlyMemory<char>> output);
}
