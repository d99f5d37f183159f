using System.Buffers;
using System.Text;

namespace GlmRuntime.Tokenization;

/// <summary>
/// Finds added tokens in text as the Rust AddedVocabulary does: an Aho-Corasick scan in leftmost-longest
/// mode (the earliest match, the longest one at that position, then on after it), after which matches
/// failing <c>single_word</c> are dropped and <c>lstrip</c>/<c>rstrip</c> widen a match over whitespace.
/// The scan is a character trie walked from each position that can start a token; positions are skipped
/// with a vectorised search for the possible first characters.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<long, int> _edges = new(); // (node << 16 | char) → child node
    private readonly List<int> _terminal = [-1];           // node → index into _tokens, or -1
    private readonly List<AddedToken> _tokens = [];
    private readonly SearchValues<char> _firstChars;

    /// <summary>Builds the matcher for <paramref name="patterns"/> (token, text to look for).</summary>
    public AddedTokenMatcher(IEnumerable<(AddedToken Token, string Pattern)> patterns)
    {
        var firstChars = new HashSet<char>();
        foreach ((AddedToken token, string pattern) in patterns)
        {
            if (pattern.Length == 0)
                continue;
            firstChars.Add(pattern[0]);
            int node = 0;
            foreach (char c in pattern)
            {
                long key = ((long)node << 16) | c;
                if (!_edges.TryGetValue(key, out int child))
                {
                    child = _terminal.Count;
                    _terminal.Add(-1);
                    _edges.Add(key, child);
                }
                node = child;
            }
            // The first token wins when two patterns are equal (normalised contents can collide).
            if (_terminal[node] < 0)
            {
                _terminal[node] = _tokens.Count;
                _tokens.Add(token);
            }
        }
        _firstChars = SearchValues.Create(firstChars.ToArray());
    }

    /// <summary>True when there is nothing to find.</summary>
    public bool IsEmpty => _tokens.Count == 0;

    /// <summary>
    /// Splits <paramref name="text"/> into plain-text and added-token segments covering it in order
    /// (plain segments are never empty). With lstrip/rstrip the token segment includes the whitespace.
    /// </summary>
    public void Split(ReadOnlySpan<char> text, List<TextSegment> output)
    {
        int consumed = 0;
        int position = 0;
        while (position < text.Length)
        {
            int candidate = text[position..].IndexOfAny(_firstChars);
            if (candidate < 0)
                break;
            int start = position + candidate;
            int tokenIndex = LongestAt(text, start, out int length);
            if (tokenIndex < 0)
            {
                position = start + 1;
                continue;
            }
            int stop = start + length;
            position = stop; // The scan resumes after the raw match whatever the filters below decide.
            AddedToken token = _tokens[tokenIndex];
            if (token.SingleWord && (EndsWithWordChar(text[..start]) || StartsWithWordChar(text[stop..])))
                continue;
            if (token.LStrip)
                start = Math.Max(StartOfTrailingWhitespace(text[..start]), consumed);
            if (token.RStrip)
                stop += LengthOfLeadingWhitespace(text[stop..]);
            if (consumed < start)
                output.Add(new TextSegment(consumed, start - consumed, -1));
            start = Math.Max(start, consumed);
            output.Add(new TextSegment(start, Math.Max(stop - start, 0), token.Id));
            consumed = Math.Max(stop, consumed);
        }
        if (consumed < text.Length)
            output.Add(new TextSegment(consumed, text.Length - consumed, -1));
    }

    private int LongestAt(ReadOnlySpan<char> text, int start, out int length)
    {
        int best = -1;
        length = 0;
        int node = 0;
        for (int i = start; i < text.Length; i++)
        {
            if (!_edges.TryGetValue(((long)node << 16) | text[i], out node))
                break;
            int terminal = _terminal[node];
            if (terminal >= 0)
            {
                best = terminal;
                length = i + 1 - start;
            }
        }
        return best;
    }

    /// <summary>Rust regex <c>\w</c> (Unicode): alphabetic, marks, decimal digits, connector punctuation, joiners.</summary>
    internal static bool IsWordChar(Rune rune)
    {
        if (rune.Value is 0x200C or 0x200D)
            return true;
        return Rune.GetUnicodeCategory(rune) switch
        {
            System.Globalization.UnicodeCategory.UppercaseLetter or System.Globalization.UnicodeCategory.LowercaseLetter
                or System.Globalization.UnicodeCategory.TitlecaseLetter or System.Globalization.UnicodeCategory.ModifierLetter
                or System.Globalization.UnicodeCategory.OtherLetter or System.Globalization.UnicodeCategory.LetterNumber
                or System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
                or System.Globalization.UnicodeCategory.EnclosingMark or System.Globalization.UnicodeCategory.DecimalDigitNumber
                or System.Globalization.UnicodeCategory.ConnectorPunctuation => true,
            _ => false,
        };
    }

    private static bool EndsWithWordChar(ReadOnlySpan<char> text) =>
        !text.IsEmpty && Rune.DecodeLastFromUtf16(text, out Rune rune, out _) == OperationStatus.Done && IsWordChar(rune);

    private static bool StartsWithWordChar(ReadOnlySpan<char> text) =>
        !text.IsEmpty && Rune.DecodeFromUtf16(text, out Rune rune, out _) == OperationStatus.Done && IsWordChar(rune);

    // Whitespace here is Unicode White_Space, which is what both Rust's regex \s and char.IsWhiteSpace mean.
    private static int StartOfTrailingWhitespace(ReadOnlySpan<char> text)
    {
        int i = text.Length;
        while (i > 0 && char.IsWhiteSpace(text[i - 1]))
            i--;
        return i;
    }

    private static int LengthOfLeadingWhitespace(ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
            i++;
        return i;
    }
}
