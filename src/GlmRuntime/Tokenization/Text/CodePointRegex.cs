using System.Buffers;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GlmRuntime.Tokenization.Text;

/// <summary>
/// An Oniguruma-syntax regex that matches on Unicode code points, as the Rust library does.
/// .NET regexes see UTF-16 code units, so <c>\p{L}</c> would not match a letter outside the BMP.
/// Text holding surrogates is therefore matched through a stand-in string with one character per
/// code point: each supplementary code point becomes a BMP character of the same general category
/// that no literal of the pattern names, and offsets are mapped back. This is exact because the
/// pattern can only refer to supplementary characters through categories (its literals are BMP).
/// Lone surrogates stand in as U+FFFD, which is what they become in UTF-8.
/// </summary>
internal sealed class CodePointRegex
{
    private const int CategoryCount = (int)UnicodeCategory.OtherNotAssigned + 1;

    private readonly Regex _regex;
    private readonly char[] _standIns;

    /// <summary>Compiles <paramref name="pattern"/>.</summary>
    /// <exception cref="ArgumentException">The pattern is invalid or uses a construct .NET cannot express.</exception>
    public CodePointRegex(string pattern)
    {
        var literals = new List<(int Low, int High)>();
        string translated = OnigurumaPatternTranslator.Translate(pattern, literals);
        // Ruby's ^ and $ always match at line boundaries, hence Multiline.
        _regex = new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.Compiled);
        _standIns = ChooseStandIns(literals);
        Pattern = pattern;
    }

    /// <summary>The pattern as written in the tokenizer file.</summary>
    public string Pattern { get; }

    /// <summary>
    /// Enumerates the matches in <paramref name="text"/> as (start, length) in UTF-16 offsets of the text.
    /// An empty match right where the previous match ended is skipped, as the Rust <c>onig</c> crate does.
    /// </summary>
    public MatchEnumerator EnumerateMatches(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
            return new MatchEnumerator(_regex.EnumerateMatches(text), null, null);

        char[] mapped = ArrayPool<char>.Shared.Rent(text.Length);
        int[] offsets = ArrayPool<int>.Shared.Rent(text.Length + 1);
        int count = 0;
        for (int i = 0; i < text.Length; i++)
        {
            offsets[count] = i;
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int codePoint = char.ConvertToUtf32(c, text[i + 1]);
                mapped[count++] = _standIns[(int)CharUnicodeInfo.GetUnicodeCategory(codePoint)];
                i++;
            }
            else
            {
                mapped[count++] = char.IsSurrogate(c) ? '\uFFFD' : c;
            }
        }
        offsets[count] = text.Length;
        return new MatchEnumerator(_regex.EnumerateMatches(mapped.AsSpan(0, count)), mapped, offsets);
    }

    /// <summary>Picks, per category, the first BMP character that neither it nor its case partners is named by the pattern.</summary>
    private static char[] ChooseStandIns(List<(int Low, int High)> literals)
    {
        var standIns = new char[CategoryCount];
        int missing = CategoryCount;
        for (int c = 0xA0; c <= 0xFFFD && missing > 0; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF)
                continue;
            char ch = (char)c;
            int category = (int)CharUnicodeInfo.GetUnicodeCategory(ch);
            if (standIns[category] != '\0')
                continue;
            if (IsNamed(literals, ch) || IsNamed(literals, char.ToUpperInvariant(ch)) || IsNamed(literals, char.ToLowerInvariant(ch)))
                continue;
            standIns[category] = ch;
            missing--;
        }
        // Surrogate is the only category without a BMP stand-in; it never reaches the table.
        return standIns;
    }

    private static bool IsNamed(List<(int Low, int High)> literals, char c)
    {
        foreach ((int low, int high) in literals)
        {
            if (low <= c && c <= high)
                return true;
        }
        return false;
    }

    /// <summary>Enumerates matches in original offsets; dispose to return pooled buffers.</summary>
    public ref struct MatchEnumerator
    {
        private Regex.ValueMatchEnumerator _inner;
        private char[]? _mapped;
        private int[]? _offsets;
        private int _lastEnd;

        internal MatchEnumerator(Regex.ValueMatchEnumerator inner, char[]? mapped, int[]? offsets)
        {
            _inner = inner;
            _mapped = mapped;
            _offsets = offsets;
            _lastEnd = -1;
        }

        /// <summary>The current match: start and length in UTF-16 offsets of the original text.</summary>
        public (int Start, int Length) Current { get; private set; }

        /// <summary>Supports <c>foreach</c>.</summary>
        public readonly MatchEnumerator GetEnumerator() => this;

        /// <summary>Advances to the next match.</summary>
        public bool MoveNext()
        {
            while (_inner.MoveNext())
            {
                ValueMatch m = _inner.Current;
                int start = m.Index;
                int end = m.Index + m.Length;
                if (start == end && start == _lastEnd)
                    continue;
                _lastEnd = end;
                if (_offsets is not null)
                {
                    start = _offsets[start];
                    end = _offsets[end];
                }
                Current = (start, end - start);
                return true;
            }
            return false;
        }

        /// <summary>Returns the pooled buffers.</summary>
        public void Dispose()
        {
            if (_mapped is not null)
            {
                ArrayPool<char>.Shared.Return(_mapped);
                ArrayPool<int>.Shared.Return(_offsets!);
                _mapped = null;
                _offsets = null;
            }
        }
    }
}
