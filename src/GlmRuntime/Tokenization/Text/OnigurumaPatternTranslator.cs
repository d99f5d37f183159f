using System.Text;

namespace GlmRuntime.Tokenization.Text;

/// <summary>
/// Rewrites an Oniguruma (Ruby syntax) pattern, as the Rust <c>tokenizers</c> library compiles it,
/// into an equivalent .NET pattern, and records every literal code point and range the pattern names.
/// Constructs whose meaning differs are translated:
/// <list type="bullet">
/// <item><c>\w</c> is Letter|Mark|Number|Connector_Punctuation in Oniguruma but lacks Mc/Me/Nl/No in .NET.</item>
/// <item><c>\h</c> is a hex digit; <c>(?m)</c> is .NET's <c>(?s)</c> (dot matches newline); <c>{,n}</c> is <c>{0,n}</c>.</item>
/// <item>Under <c>(?i)</c>, Oniguruma folds U+017F (ſ) to <c>s</c>; .NET does not, so <c>s</c> is widened.</item>
/// </list>
/// Constructs .NET lacks (possessive quantifiers, nested or intersected classes, POSIX brackets,
/// <c>\K</c>, <c>\R</c>, <c>\X</c>, absent operators, script properties, supplementary literals) throw
/// <see cref="ArgumentException"/> naming the construct.
/// </summary>
internal static class OnigurumaPatternTranslator
{
    private const string WordClassBody = @"\p{L}\p{M}\p{N}\p{Pc}";
    private const string LongS = @"\u017F";

    /// <summary>Translates <paramref name="pattern"/>; <paramref name="literalRanges"/> receives the literal code point ranges it names.</summary>
    /// <exception cref="ArgumentException">The pattern uses a construct that cannot be expressed in .NET.</exception>
    public static string Translate(string pattern, List<(int Low, int High)> literalRanges)
    {
        var state = new State(pattern, literalRanges);
        state.Run();
        return state.Output.ToString();
    }

    private sealed class State(string pattern, List<(int Low, int High)> literals)
    {
        private readonly Stack<bool> _groupCaseFlags = new();
        private int _pos;
        private bool _ignoreCase;
        private bool _lastWasQuantifier;

        public StringBuilder Output { get; } = new(pattern.Length + 16);

        public void Run()
        {
            while (_pos < pattern.Length)
            {
                char c = pattern[_pos];
                bool quantifier = false;
                switch (c)
                {
                    case '\\':
                        TranslateEscape();
                        break;
                    case '[':
                        TranslateClass();
                        break;
                    case '(':
                        OpenGroup();
                        break;
                    case ')':
                        _ignoreCase = _groupCaseFlags.Count > 0 ? _groupCaseFlags.Pop() : _ignoreCase;
                        Output.Append(c);
                        _pos++;
                        break;
                    case '*' or '+' or '?':
                        if (c == '+' && _lastWasQuantifier)
                            throw Unsupported("possessive quantifier", _pos);
                        // A '?' right after a quantifier makes it lazy and is not itself a quantifier.
                        quantifier = !(c == '?' && _lastWasQuantifier);
                        Output.Append(c);
                        _pos++;
                        break;
                    case '{':
                        quantifier = CopyInterval();
                        break;
                    default:
                        AppendLiteral(c, pattern.AsSpan(_pos, 1));
                        _pos++;
                        break;
                }
                _lastWasQuantifier = quantifier;
            }
        }

        private bool CopyInterval()
        {
            int close = pattern.IndexOf('}', _pos);
            bool isInterval = close > _pos + 1 && IsIntervalBody(pattern.AsSpan(_pos + 1, close - _pos - 1));
            if (!isInterval)
            {
                AppendLiteral('{', @"\{");
                _pos++;
                return false;
            }
            // Ruby reads "{,n}" as "{0,n}"; .NET would take it literally.
            if (pattern[_pos + 1] == ',')
                Output.Append("{0");
            else
                Output.Append('{');
            Output.Append(pattern, _pos + 1, close - _pos);
            _pos = close + 1;
            return true;
        }

        private static bool IsIntervalBody(ReadOnlySpan<char> body)
        {
            int comma = body.IndexOf(',');
            ReadOnlySpan<char> low = comma < 0 ? body : body[..comma];
            ReadOnlySpan<char> high = comma < 0 ? [] : body[(comma + 1)..];
            return (low.Length > 0 || high.Length > 0) && IsDigits(low) && IsDigits(high);
        }

        private static bool IsDigits(ReadOnlySpan<char> s) => !s.ContainsAnyExceptInRange('0', '9');

        private void OpenGroup()
        {
            _groupCaseFlags.Push(_ignoreCase);
            if (_pos + 1 >= pattern.Length || pattern[_pos + 1] != '?')
            {
                Output.Append('(');
                _pos++;
                return;
            }
            char kind = _pos + 2 < pattern.Length ? pattern[_pos + 2] : '\0';
            switch (kind)
            {
                case ':' or '=' or '!' or '>':
                    Output.Append(pattern, _pos, 3);
                    _pos += 3;
                    return;
                case '<' when _pos + 3 < pattern.Length && pattern[_pos + 3] is '=' or '!':
                    Output.Append(pattern, _pos, 4);
                    _pos += 4;
                    return;
                case '<' or '\'':
                    // A named group: .NET spells "(?<name>" and "(?'name'" the same way.
                    CopyName(_pos + 3, kind == '<' ? '>' : '\'');
                    return;
                case '#':
                    int end = pattern.IndexOf(')', _pos);
                    if (end < 0)
                        throw new ArgumentException($"Unterminated comment group at offset {_pos}.");
                    _groupCaseFlags.Pop();
                    _pos = end + 1;
                    return;
                case '~':
                    throw Unsupported("absent operator (?~...)", _pos);
            }
            TranslateFlagGroup();
        }

        private void CopyName(int nameStart, char terminator)
        {
            int end = pattern.IndexOf(terminator, nameStart);
            if (end < 0)
                throw new ArgumentException($"Unterminated group or reference name at offset {_pos}.");
            Output.Append(pattern, _pos, end + 1 - _pos);
            _pos = end + 1;
        }

        private void TranslateFlagGroup()
        {
            int start = _pos;
            _pos += 2;
            var flags = new StringBuilder("(?");
            bool on = true;
            bool ignoreCase = _ignoreCase;
            for (; _pos < pattern.Length; _pos++)
            {
                char f = pattern[_pos];
                switch (f)
                {
                    case '-':
                        on = false;
                        flags.Append('-');
                        continue;
                    case 'i':
                        ignoreCase = on;
                        flags.Append('i');
                        continue;
                    case 'm':
                        flags.Append('s'); // Ruby's multiline flag is .NET's single-line (dot matches \n).
                        continue;
                    case 'x':
                        flags.Append('x');
                        continue;
                    case ')':
                        // "(?i)" changes the flags until the end of the enclosing group.
                        _groupCaseFlags.Pop();
                        _ignoreCase = ignoreCase;
                        Output.Append(flags).Append(')');
                        _pos++;
                        return;
                    case ':':
                        _ignoreCase = ignoreCase;
                        Output.Append(flags).Append(':');
                        _pos++;
                        return;
                    default:
                        throw Unsupported($"group option '{f}'", start);
                }
            }
            throw new ArgumentException($"Unterminated group at offset {start}.");
        }

        private void TranslateEscape()
        {
            int start = _pos;
            if (_pos + 1 >= pattern.Length)
                throw new ArgumentException("The pattern ends with a lone backslash.");
            char e = pattern[_pos + 1];
            switch (e)
            {
                case 'p' or 'P':
                    Output.Append(OnigurumaEscapes.ReadProperty(pattern, ref _pos));
                    return;
                case 'w':
                    Output.Append('[').Append(WordClassBody).Append(']');
                    break;
                case 'W':
                    Output.Append("[^").Append(WordClassBody).Append(']');
                    break;
                case 'h':
                    Output.Append("[0-9a-fA-F]");
                    break;
                case 'H':
                    Output.Append("[^0-9a-fA-F]");
                    break;
                case 'd' or 'D' or 's' or 'S' or 'b' or 'B' or 'A' or 'z' or 'Z' or 'G':
                    Output.Append('\\').Append(e);
                    break;
                case 'k' when _pos + 2 < pattern.Length && pattern[_pos + 2] is '<' or '\'':
                    CopyName(_pos + 3, pattern[_pos + 2] == '<' ? '>' : '\'');
                    return;
                case >= '0' and <= '9':
                    Output.Append('\\').Append(e);
                    break;
                default:
                    int codePoint = OnigurumaEscapes.ReadLiteral(pattern, ref _pos, out string netText);
                    AppendLiteral(codePoint, netText);
                    return;
            }
            _pos = start + 2;
        }

        private void TranslateClass()
        {
            int start = _pos;
            var body = new StringBuilder();
            int rangesBefore = literals.Count;
            _pos++;
            bool negated = _pos < pattern.Length && pattern[_pos] == '^';
            if (negated)
                _pos++;
            bool first = true;
            while (true)
            {
                if (_pos >= pattern.Length)
                    throw new ArgumentException($"Unterminated character class at offset {start}.");
                char c = pattern[_pos];
                if (c == ']' && !first)
                {
                    _pos++;
                    break;
                }
                first = false;
                if (c == '[')
                    throw Unsupported(_pos + 1 < pattern.Length && pattern[_pos + 1] == ':' ? "POSIX bracket expression" : "nested character class", _pos);
                if (c == '&' && _pos + 1 < pattern.Length && pattern[_pos + 1] == '&')
                    throw Unsupported("character class intersection", _pos);
                if (c == '\\' && TryClassShorthand(body))
                    continue;
                int low = ReadClassLiteral(out string lowText);
                body.Append(lowText);
                int high = low;
                if (_pos + 1 < pattern.Length && pattern[_pos] == '-' && pattern[_pos + 1] != ']')
                {
                    _pos++;
                    high = ReadClassLiteral(out string highText);
                    body.Append('-').Append(highText);
                }
                literals.Add((low, high));
            }
            if (_ignoreCase && CoversLetterS(rangesBefore))
                body.Append(LongS);
            Output.Append(negated ? "[^" : "[").Append(body).Append(']');
        }

        private bool CoversLetterS(int firstRange)
        {
            for (int i = firstRange; i < literals.Count; i++)
            {
                (int low, int high) = literals[i];
                if ((low <= 's' && 's' <= high) || (low <= 'S' && 'S' <= high))
                    return true;
            }
            return false;
        }

        /// <summary>Handles class escapes that are sets, not single characters.</summary>
        private bool TryClassShorthand(StringBuilder body)
        {
            char e = _pos + 1 < pattern.Length ? pattern[_pos + 1] : '\0';
            switch (e)
            {
                case 'p' or 'P':
                    body.Append(OnigurumaEscapes.ReadProperty(pattern, ref _pos));
                    return true;
                case 'w':
                    body.Append(WordClassBody);
                    break;
                case 'h':
                    body.Append("0-9a-fA-F");
                    break;
                case 'd' or 'D' or 's' or 'S':
                    body.Append('\\').Append(e);
                    break;
                case 'W' or 'H':
                    throw Unsupported($"\\{e} inside a character class", _pos);
                default:
                    return false;
            }
            _pos += 2;
            return true;
        }

        private int ReadClassLiteral(out string netText)
        {
            char c = pattern[_pos];
            if (c == '\\')
                return OnigurumaEscapes.ReadLiteral(pattern, ref _pos, out netText);
            if (char.IsSurrogate(c))
                throw Unsupported("literal outside the Basic Multilingual Plane", _pos);
            _pos++;
            // '[' is escaped for .NET, where "-[" would start a class subtraction.
            netText = c is '[' or ']' ? "\\" + c : c.ToString();
            return c;
        }

        private void AppendLiteral(int codePoint, ReadOnlySpan<char> netText)
        {
            if (codePoint is >= 0xD800 and <= 0xDFFF)
                throw Unsupported("literal outside the Basic Multilingual Plane", _pos);
            literals.Add((codePoint, codePoint));
            if (_ignoreCase && codePoint is 's' or 'S')
                Output.Append("[sS").Append(LongS).Append(']');
            else
                Output.Append(netText);
        }

        private ArgumentException Unsupported(string what, int offset) => OnigurumaEscapes.Unsupported(pattern, what, offset);
    }
}
