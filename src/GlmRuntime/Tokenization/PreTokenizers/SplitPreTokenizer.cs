using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>Splits on a literal string or an Oniguruma regex (<c>{"type":"Split"}</c>).</summary>
internal sealed class SplitPreTokenizer : PreTokenizer
{
    private readonly string? _literal;
    private readonly CodePointRegex? _regex;
    private readonly SplitBehavior _behavior;
    private readonly bool _invert;

    /// <summary>Splits on <paramref name="literal"/> or on matches of <paramref name="regex"/> (exactly one is non-null).</summary>
    public SplitPreTokenizer(string? literal, CodePointRegex? regex, SplitBehavior behavior, bool invert)
    {
        _literal = literal;
        _regex = regex;
        _behavior = behavior;
        _invert = invert;
    }

    /// <summary>Splits one piece; shared with ByteLevel's GPT-2 regex step.</summary>
    internal static void SplitWithRegex(CodePointRegex regex, ReadOnlyMemory<char> piece, bool atTextStart, SplitBehavior behavior, bool invert, IPieceSink output)
    {
        var folder = new SplitFolder(piece, atTextStart, output, behavior, invert);
        int previous = 0;
        foreach ((int start, int length) in regex.EnumerateMatches(piece.Span))
        {
            if (start > previous)
                folder.Add(previous, start, false);
            folder.Add(start, start + length, true);
            previous = start + length;
        }
        if (previous < piece.Length)
            folder.Add(previous, piece.Length, false);
        folder.Finish();
    }

    /// <inheritdoc />
    public override void Split(ReadOnlyMemory<char> piece, bool atTextStart, IPieceSink output)
    {
        if (_regex is not null)
        {
            SplitWithRegex(_regex, piece, atTextStart, _behavior, _invert, output);
            return;
        }

        var folder = new SplitFolder(piece, atTextStart, output, _behavior, _invert);
        string literal = _literal!;
        if (literal.Length == 0)
        {
            folder.Add(0, piece.Length, false);
            folder.Finish();
            return;
        }
        ReadOnlySpan<char> span = piece.Span;
        int previous = 0;
        while (previous < span.Length)
        {
            int found = span[previous..].IndexOf(literal, StringComparison.Ordinal);
            if (found < 0)
                break;
            int start = previous + found;
            if (start > previous)
                folder.Add(previous, start, false);
            folder.Add(start, start + literal.Length, true);
            previous = start + literal.Length;
        }
        if (previous < span.Length)
            folder.Add(previous, span.Length, false);
        folder.Finish();
    }
}
