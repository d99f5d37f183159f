namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>Receives the pieces a pre-tokeniser splits text into, in order; pieces are never empty.</summary>
internal interface IPieceSink
{
    /// <summary>Takes one piece.</summary>
    /// <param name="piece">A slice of some string; valid only for the duration of the call unless copied.</param>
    /// <param name="atTextStart">Whether the piece starts at the beginning of the input text (Metaspace's "first" scheme).</param>
    void Accept(ReadOnlyMemory<char> piece, bool atTextStart);
}
