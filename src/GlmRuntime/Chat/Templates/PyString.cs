using System.Globalization;
using System.Text;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Python <c>str</c> semantics over .NET strings. Python indexes strings by code point, so lengths,
/// indexing and slicing go through <see cref="CodePoints"/> whenever a string holds surrogate pairs.
/// </summary>
internal static class PyString
{
    /// <summary>Python's <c>str.isspace</c> for one UTF-16 unit (adds the \x1c-\x1f separators .NET omits).</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>The code points of <paramref name="s"/> as one-element strings (Python's <c>list(s)</c>).</summary>
    public static List<string> CodePoints(string s)
    {
        var result = new List<string>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                result.Add(s.Substring(i, 2));
                i++;
            }
            else
            {
                result.Add(s[i].ToString());
            }
        }
        return result;
    }

    public static int Length(string s) => HasSurrogates(s) ? CodePoints(s).Count : s.Length;

    public static string Strip(string s, string? chars, bool left, bool right)
    {
        Func<string, bool> strip = chars is null
            ? cp => cp.Length == 1 && IsWhitespace(cp[0])
            : cp => chars.Contains(cp, StringComparison.Ordinal);
        if (!HasSurrogates(s) && (chars is null || !HasSurrogates(chars)))
        {
            int start = 0, end = s.Length;
            while (left && start < end && (chars is null ? IsWhitespace(s[start]) : chars.Contains(s[start])))
                start++;
            while (right && end > start && (chars is null ? IsWhitespace(s[end - 1]) : chars.Contains(s[end - 1])))
                end--;
            return s[start..end];
        }
        List<string> cps = CodePoints(s);
        int a = 0, b = cps.Count;
        while (left && a < b && strip(cps[a]))
            a++;
        while (right && b > a && strip(cps[b - 1]))
            b--;
        return string.Concat(cps.GetRange(a, b - a));
    }

    /// <summary>Python <c>str.split(sep, maxsplit)</c>; a null separator splits on whitespace runs.</summary>
    public static List<object?> Split(string s, string? sep, long maxSplit)
    {
        var parts = new List<object?>();
        if (sep is null)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && IsWhitespace(s[i]))
                    i++;
                if (i >= s.Length)
                    break;
                if (maxSplit >= 0 && parts.Count >= maxSplit)
                {
                    // The unsplit remainder keeps its trailing whitespace, as in Python.
                    parts.Add(s[i..]);
                    break;
                }
                int start = i;
                while (i < s.Length && !IsWhitespace(s[i]))
                    i++;
                parts.Add(s[start..i]);
            }
            return parts;
        }

        if (sep.Length == 0)
            throw new TemplateError("split(): empty separator");
        int pos = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            int idx = s.IndexOf(sep, pos, StringComparison.Ordinal);
            if (idx < 0)
                break;
            parts.Add(s[pos..idx]);
            pos = idx + sep.Length;
        }
        parts.Add(s[pos..]);
        return parts;
    }

    /// <summary>Python <c>str.rsplit(sep, maxsplit)</c>.</summary>
    public static List<object?> RSplit(string s, string? sep, long maxSplit)
    {
        if (maxSplit < 0)
            return Split(s, sep, maxSplit);
        var parts = new List<object?>();
        if (sep is null)
        {
            int i = s.Length;
            while (true)
            {
                while (i > 0 && IsWhitespace(s[i - 1]))
                    i--;
                if (i <= 0)
                    break;
                if (parts.Count >= maxSplit)
                {
                    parts.Add(s[..i]);
                    break;
                }
                int end = i;
                while (i > 0 && !IsWhitespace(s[i - 1]))
                    i--;
                parts.Add(s[i..end]);
            }
            parts.Reverse();
            return parts;
        }

        if (sep.Length == 0)
            throw new TemplateError("rsplit(): empty separator");
        int stop = s.Length;
        while (parts.Count < maxSplit)
        {
            int idx = stop - sep.Length < 0 ? -1 : s.LastIndexOf(sep, stop - 1, stop, StringComparison.Ordinal);
            if (idx < 0)
                break;
            parts.Add(s[(idx + sep.Length)..stop]);
            stop = idx;
        }
        parts.Add(s[..stop]);
        parts.Reverse();
        return parts;
    }

    /// <summary>Python <c>str.splitlines()</c> (without keepends).</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        int start = 0, i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                lines.Add(s[start..i]);
                i += c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
                start = i;
            }
            else
            {
                i++;
            }
        }
        if (start < s.Length)
            lines.Add(s[start..]);
        return lines;
    }

    /// <summary>Python <c>str.replace(old, new, count)</c>, including the empty-<paramref name="old"/> case.</summary>
    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0 && old.Length > 0)
            return s.Replace(old, replacement, StringComparison.Ordinal);
        var sb = new StringBuilder();
        if (old.Length == 0)
        {
            List<string> cps = CodePoints(s);
            long done = 0;
            foreach (string cp in cps)
            {
                if (count < 0 || done < count)
                {
                    sb.Append(replacement);
                    done++;
                }
                sb.Append(cp);
            }
            if (count < 0 || done < count)
                sb.Append(replacement);
            return sb.ToString();
        }
        int pos = 0;
        for (long n = 0; n < count; n++)
        {
            int idx = s.IndexOf(old, pos, StringComparison.Ordinal);
            if (idx < 0)
                break;
            sb.Append(s, pos, idx - pos).Append(replacement);
            pos = idx + old.Length;
        }
        return sb.Append(s, pos, s.Length - pos).ToString();
    }

    /// <summary>Python <c>str.title()</c>: a cased letter is upper-cased after an uncased character, lower-cased otherwise.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            bool cased = char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;
            sb.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }
        return sb.ToString();
    }

    /// <summary>Jinja's <c>title</c> filter: words split at whitespace, '-', '(', '{', '[' and '&lt;'; each word capitalised.</summary>
    public static string JinjaTitle(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool wordStart = true;
        foreach (char c in s)
        {
            if (IsWhitespace(c) || c is '-' or '(' or '{' or '[' or '<')
            {
                sb.Append(c);
                wordStart = true;
            }
            else
            {
                sb.Append(wordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
                wordStart = false;
            }
        }
        return sb.ToString();
    }

    /// <summary>Python <c>str.capitalize()</c>.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Python <c>str.center(width, fill)</c>: CPython puts the odd padding character on the left when the width is odd.</summary>
    public static string Center(string s, long width, string fill)
    {
        int pad = (int)Math.Clamp(width - Length(s), 0, int.MaxValue);
        int left = pad / 2 + (int)(pad & width & 1);
        return new StringBuilder().Insert(0, fill, left).Append(s).Insert(left + s.Length, fill, pad - left).ToString();
    }

    /// <summary>Python <c>str.count(sub)</c> (non-overlapping; an empty needle counts every position).</summary>
    public static long Count(string s, string sub)
    {
        if (sub.Length == 0)
            return Length(s) + 1;
        long n = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
            n++;
        return n;
    }

    /// <summary>Converts a UTF-16 index into a code point index (Python's find/index results).</summary>
    public static long CodePointIndex(string s, int utf16Index) =>
        utf16Index < 0 ? -1 : utf16Index - CountLowSurrogatePairs(s.AsSpan(0, utf16Index));

    private static int CountLowSurrogatePairs(ReadOnlySpan<char> span)
    {
        int n = 0;
        for (int i = 1; i < span.Length; i++)
        {
            if (char.IsLowSurrogate(span[i]) && char.IsHighSurrogate(span[i - 1]))
                n++;
        }
        return n;
    }
}
