using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Tokenizes the inside of a <c>{% %}</c> or <c>{{ }}</c> tag: names, Python-style string and number literals,
/// and operators. A closing <c>%}</c>/<c>}}</c> only ends the tag when no bracket is open, so
/// <c>{{ {'a': 1}}}</c> lexes as Jinja lexes it.
/// </summary>
internal sealed class TagScanner
{
    private static readonly ImmutableArray<string> TwoCharOperators = ["**", "//", "==", "!=", "<=", ">="];
    private const string SingleCharOperators = "+-*/%~<>=()[]{},.:|";

    private readonly SourceText _source;
    private readonly string _src;
    private readonly List<Token> _output;

    public TagScanner(SourceText source, List<Token> output)
    {
        _source = source;
        _src = source.Text;
        _output = output;
    }

    /// <summary>
    /// Emits the tag's tokens and its end token; returns the offset just past the end marker and, in
    /// <paramref name="endModifier"/>, its whitespace modifier ('-', '+' or '\0').
    /// </summary>
    public int ScanUntilEnd(int pos, bool block, int tagStart, out char endModifier)
    {
        var brackets = new Stack<(char Open, int Offset)>();
        while (true)
        {
            while (pos < _src.Length && PyString.IsWhitespace(_src[pos]))
                pos++;
            if (pos >= _src.Length)
            {
                if (brackets.Count > 0)
                    throw _source.Error(brackets.Peek().Offset, $"unclosed '{brackets.Peek().Open}'");
                throw _source.Error(tagStart, block ? "unclosed tag '{%' (missing '%}')" : "unclosed tag '{{' (missing '}}')");
            }

            if (brackets.Count == 0 && TryEnd(pos, block, out int end, out endModifier))
            {
                _output.Add(_source.MakeToken(block ? TokenKind.BlockEnd : TokenKind.VariableEnd, block ? "%}" : "}}", pos));
                return end;
            }

            char c = _src[pos];
            if (char.IsLetter(c) || c == '_')
                pos = ScanName(pos);
            else if (char.IsAsciiDigit(c))
                pos = ScanNumber(pos);
            else if (c is '\'' or '"')
                pos = ScanString(pos);
            else
                pos = ScanOperator(pos, brackets);
        }
    }

    private bool TryEnd(int pos, bool block, out int end, out char modifier)
    {
        ReadOnlySpan<char> rest = _src.AsSpan(pos);
        string close = block ? "%}" : "}}";
        modifier = '\0';
        end = pos;
        if ((rest.StartsWith("-") || (block && rest.StartsWith("+"))) && rest[1..].StartsWith(close))
        {
            modifier = rest[0];
            end = pos + 3;
            return true;
        }
        if (rest.StartsWith(close))
        {
            end = pos + 2;
            return true;
        }
        return false;
    }

    private int ScanName(int pos)
    {
        int start = pos;
        while (pos < _src.Length && (char.IsLetterOrDigit(_src[pos]) || _src[pos] == '_'))
            pos++;
        _output.Add(_source.MakeToken(TokenKind.Name, _src[start..pos], start));
        return pos;
    }

    private int ScanNumber(int start)
    {
        if (_src[start] == '0' && start + 1 < _src.Length && "xXoObB".Contains(_src[start + 1]))
            return ScanRadixInteger(start);

        int pos = SkipDigits(start);
        bool isFloat = false;
        // Jinja's (?<!\.) rule: in `x.0.1` the 0 and the 1 are separate subscripts, not a float.
        bool afterDot = start > 0 && _src[start - 1] == '.';
        if (!afterDot && pos + 1 < _src.Length && _src[pos] == '.' && char.IsAsciiDigit(_src[pos + 1]))
        {
            pos = SkipDigits(pos + 1);
            isFloat = true;
        }
        if (!afterDot && pos < _src.Length && _src[pos] is 'e' or 'E')
        {
            int exp = pos + 1;
            if (exp < _src.Length && _src[exp] is '+' or '-')
                exp++;
            if (exp < _src.Length && char.IsAsciiDigit(_src[exp]))
            {
                pos = SkipDigits(exp);
                isFloat = true;
            }
        }

        string text = _src[start..pos];
        string digits = text.Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
        {
            _output.Add(_source.MakeToken(TokenKind.Float, text, start, double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
        else
        {
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                throw _source.Error(start, $"integer literal '{text}' is too large");
            _output.Add(_source.MakeToken(TokenKind.Integer, text, start, value));
        }
        return pos;
    }

    private int SkipDigits(int pos)
    {
        while (pos < _src.Length && (char.IsAsciiDigit(_src[pos]) || (_src[pos] == '_' && pos + 1 < _src.Length && char.IsAsciiDigit(_src[pos + 1]))))
            pos++;
        return pos;
    }

    private int ScanRadixInteger(int start)
    {
        int radix = char.ToLowerInvariant(_src[start + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
        int pos = start + 2;
        long value = 0;
        int digitCount = 0;
        for (; pos < _src.Length; pos++)
        {
            char ch = _src[pos];
            if (ch == '_')
                continue;
            int digit = char.IsAsciiHexDigit(ch) ? Convert.ToInt32(ch.ToString(), 16) : -1;
            if (digit < 0 || digit >= radix)
                break;
            if (value > (long.MaxValue - digit) / radix)
                throw _source.Error(start, "integer literal is too large");
            value = value * radix + digit;
            digitCount++;
        }
        if (digitCount == 0)
            throw _source.Error(start, $"invalid integer literal '{_src[start..pos]}'");
        _output.Add(_source.MakeToken(TokenKind.Integer, _src[start..pos], start, value));
        return pos;
    }

    private int ScanString(int start)
    {
        char quote = _src[start];
        var sb = new StringBuilder();
        int pos = start + 1;
        while (pos < _src.Length)
        {
            char c = _src[pos];
            if (c == quote)
            {
                _output.Add(_source.MakeToken(TokenKind.String, _src[start..(pos + 1)], start, sb.ToString()));
                return pos + 1;
            }
            if (c == '\\' && pos + 1 < _src.Length)
            {
                pos = ReadEscape(pos, sb);
                continue;
            }
            sb.Append(c);
            pos++;
        }
        throw _source.Error(start, "unterminated string literal");
    }

    /// <summary>Python string-literal escapes (Jinja unescapes literals the way Python does); unknown escapes stay verbatim.</summary>
    private int ReadEscape(int pos, StringBuilder sb)
    {
        char e = _src[pos + 1];
        switch (e)
        {
            case '\n': return pos + 2;
            case '\\': sb.Append('\\'); return pos + 2;
            case '\'': sb.Append('\''); return pos + 2;
            case '"': sb.Append('"'); return pos + 2;
            case 'a': sb.Append('\a'); return pos + 2;
            case 'b': sb.Append('\b'); return pos + 2;
            case 'f': sb.Append('\f'); return pos + 2;
            case 'n': sb.Append('\n'); return pos + 2;
            case 'r': sb.Append('\r'); return pos + 2;
            case 't': sb.Append('\t'); return pos + 2;
            case 'v': sb.Append('\v'); return pos + 2;
            case 'x': return ReadHexEscape(pos, 2, sb);
            case 'u': return ReadHexEscape(pos, 4, sb);
            case 'U': return ReadHexEscape(pos, 8, sb);
        }
        if (e is >= '0' and <= '7')
        {
            int end = pos + 1, value = 0;
            while (end < _src.Length && end < pos + 4 && _src[end] is >= '0' and <= '7')
                value = value * 8 + (_src[end++] - '0');
            sb.Append((char)value);
            return end;
        }
        sb.Append('\\').Append(e);
        return pos + 2;
    }

    private int ReadHexEscape(int pos, int digits, StringBuilder sb)
    {
        int start = pos + 2;
        if (start + digits > _src.Length || !int.TryParse(_src.AsSpan(start, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value)
            || value > 0x10FFFF)
        {
            throw _source.Error(pos, $"invalid '\\{_src[pos + 1]}' escape in string literal");
        }
        if (value >= 0x10000)
            sb.Append(char.ConvertFromUtf32(value));
        else
            sb.Append((char)value);
        return start + digits;
    }

    private int ScanOperator(int pos, Stack<(char Open, int Offset)> brackets)
    {
        foreach (string op in TwoCharOperators)
        {
            if (string.CompareOrdinal(_src, pos, op, 0, 2) == 0)
            {
                _output.Add(_source.MakeToken(TokenKind.Operator, op, pos));
                return pos + 2;
            }
        }

        char c = _src[pos];
        if (!SingleCharOperators.Contains(c))
            throw _source.Error(pos, $"unexpected character '{c}'");
        if (c is '(' or '[' or '{')
        {
            brackets.Push((c, pos));
        }
        else if (c is ')' or ']' or '}')
        {
            char expected = c switch { ')' => '(', ']' => '[', _ => '{' };
            if (brackets.Count == 0)
                throw _source.Error(pos, $"unexpected '{c}'");
            if (brackets.Peek().Open != expected)
                throw _source.Error(pos, $"unexpected '{c}' (the '{brackets.Peek().Open}' opened at line {_source.Locate(brackets.Peek().Offset).Line} is not closed)");
            brackets.Pop();
        }
        _output.Add(_source.MakeToken(TokenKind.Operator, c.ToString(), pos));
        return pos + 1;
    }
}
