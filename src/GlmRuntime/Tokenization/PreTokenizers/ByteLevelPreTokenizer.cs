using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>
/// GPT-2's ByteLevel step: optionally prefixes a space, optionally splits with the GPT-2 regex, and maps
/// each UTF-8 byte to a printable character. When it is the last pre-tokeniser the mapping is left to the
/// BPE model (<see cref="PreTokenizer.EndsWithByteLevel"/>), which reads the bytes directly and so avoids a
/// string per piece.
/// </summary>
internal sealed class ByteLevelPreTokenizer : PreTokenizer
{
    /// <summary>The regex GPT-2 splits words with, as the Rust ByteLevel pre-tokeniser compiles it.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly bool _addPrefixSpace;
    private readonly CodePointRegex? _regex;
    private readonly bool _emitMappedText;

    /// <summary>Creates the step.</summary>
    /// <param name="addPrefixSpace">Prefix a space to every piece that does not start with one.</param>
    /// <param name="useRegex">Split with the GPT-2 regex.</param>
    /// <param name="emitMappedText">Output byte-level characters (needed when another pre-tokeniser follows).</param>
    public ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex, bool emitMappedText)
    {
        _addPrefixSpace = addPrefixSpace;
        _regex = useRegex ? new CodePointRegex(Gpt2Pattern) : null;
        _emitMappedText = emitMappedText;
    }

    /// <inheritdoc />
    public override bool EndsWithByteLevel => !_emitMappedText;

    /// <inheritdoc />
    public override void Split(ReadOnlyMemory<char> piece, bool atTextStart, IPieceSink output)
    {
        if (_addPrefixSpace && !piece.Span.StartsWith(' '))
            piece = string.Concat(" ", piece.Span).AsMemory();
        IPieceSink target = _emitMappedText ? new MappingSink(output) : output;
        if (_regex is null)
            target.Accept(piece, atTextStart);
        else
            SplitPreTokenizer.SplitWithRegex(_regex, piece, atTextStart, SplitBehavior.Isolated, false, target);
    }

    /// <summary>Replaces each piece by its byte-level characters before passing it on.</summary>
    private sealed class MappingSink(IPieceSink next) : IPieceSink
    {
        public void Accept(ReadOnlyMemory<char> piece, bool atTextStart) => next.Accept(ByteLevelAlphabet.Map(piece.Span).AsMemory(), atTextStart);
    }
}
