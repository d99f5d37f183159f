using System.Globalization;

namespace GlmRuntime.Tokenization.Text;

/// <summary>
/// Oniguruma escapes that stand for one literal character or for a general-category property, read for
/// <see cref="OnigurumaPatternTranslator"/>. Each reader starts at the backslash and leaves the position
/// after the escape.
/// </summary>
internal static class OnigurumaEscapes
{
    private static readonly string[] GeneralCategories =
    [
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
        "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn",
    ];

    /// <summary>Reads an escape that stands for one literal character and returns its code point.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="pos">At the backslash; moved after the escape.</param>
    /// <param name="netText">The same character spelled for .NET.</param>
    public static int ReadLiteral(string pattern, ref int pos, out string netText)
    {
        int start = pos;
        char e = pattern[pos + 1];
        pos += 2;
        switch (e)
        {
            case 'n': netText = @"\n"; return '\n';
            case 'r': netText = @"\r"; return '\r';
            case 't': netText = @"\t"; return '\t';
            case 'f': netText = @"\f"; return '\f';
            case 'v': netText = @"\v"; return '\v';
            case 'a': netText = @"\a"; return '\a';
            case 'e': netText = @"\e"; return '\u001B';
            case 'x' when pos < pattern.Length && pattern[pos] == '{':
                int close = pattern.IndexOf('}', pos);
                if (close < 0)
                    throw new ArgumentException($"Unterminated \\x{{...}} at offset {start}.");
                return HexLiteral(pattern, pattern.AsSpan(pos + 1, close - pos - 1), close + 1, start, ref pos, out netText);
            case 'x':
                return HexLiteral(pattern, pattern.AsSpan(pos, Math.Min(2, pattern.Length - pos)), pos + 2, start, ref pos, out netText);
            case 'u':
                return HexLiteral(pattern, pattern.AsSpan(pos, Math.Min(4, pattern.Length - pos)), pos + 4, start, ref pos, out netText);
            case >= 'a' and <= 'z' or >= 'A' and <= 'Z':
                throw Unsupported(pattern, $"escape \\{e}", start);
            default:
                if (char.IsSurrogate(e))
                    throw Unsupported(pattern, "literal outside the Basic Multilingual Plane", start);
                netText = "\\" + e;
                return e;
        }
    }

    private static int HexLiteral(string pattern, ReadOnlySpan<char> hex, int next, int start, ref int pos, out string netText)
    {
        if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
            throw new ArgumentException($"Bad hexadecimal escape at offset {start}.");
        if (value > 0xFFFF)
            throw Unsupported(pattern, "literal outside the Basic Multilingual Plane", start);
        pos = next;
        netText = $"\\u{value:X4}";
        return value;
    }

    /// <summary>Reads <c>\p{..}</c>, <c>\P{..}</c> or <c>\p{^..}</c> naming a general category and returns the .NET spelling.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="pos">At the backslash; moved after the closing brace.</param>
    public static string ReadProperty(string pattern, ref int pos)
    {
        int start = pos;
        bool negated = pattern[pos + 1] == 'P';
        if (pos + 2 >= pattern.Length || pattern[pos + 2] != '{')
            throw Unsupported(pattern, "property escape without braces", start);
        int close = pattern.IndexOf('}', pos);
        if (close < 0)
            throw new ArgumentException($"Unterminated property escape at offset {start}.");
        string name = pattern.Substring(pos + 3, close - pos - 3);
        if (name.StartsWith('^'))
        {
            negated = !negated;
            name = name[1..];
        }
        string? category = Array.Find(GeneralCategories, c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
        if (category is null)
            throw Unsupported(pattern, $"property \\p{{{name}}} (only general categories are supported)", start);
        pos = close + 1;
        return (negated ? @"\P{" : @"\p{") + category + "}";
    }

    /// <summary>The error for a construct .NET cannot express.</summary>
    public static ArgumentException Unsupported(string pattern, string what, int offset) =>
        new($"Unsupported regex construct: {what} at offset {offset} of pattern \"{pattern}\".");
}
