namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>
/// A pre-tokeniser from tokenizer.json's <c>pre_tokenizer</c> section: splits a piece of text into smaller
/// pieces that the model encodes independently. Pieces are slices of strings
/// (<see cref="ReadOnlyMemory{T}"/>) pushed to an <see cref="IPieceSink"/> as they are found, so a chain of
/// pre-tokenisers runs depth-first without materialising any list; empty pieces are dropped, as in the
/// Rust library, and the order of the output is the same as splitting stage by stage.
/// </summary>
internal abstract class PreTokenizer
{
    /// <summary>
    /// True when this pre-tokeniser ends with a ByteLevel step whose byte-to-character mapping was left
    /// to the model: the pieces it outputs are still plain text, and the BPE model reads their UTF-8 bytes.
    /// </summary>
    public virtual bool EndsWithByteLevel => false;

    /// <summary>Splits <paramref name="piece"/> and passes the non-empty results to <paramref name="sink"/>.</summary>
    /// <param name="piece">A non-empty piece.</param>
    /// <param name="atTextStart">Whether the piece starts at the beginning of the input text.</param>
    /// <param name="sink">Receives the results in order.</param>
    public abstract void Split(ReadOnlyMemory<char> piece, bool atTextStart, IPieceSink sink);
}
