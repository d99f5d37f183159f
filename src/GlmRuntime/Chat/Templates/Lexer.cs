using System.Text.RegularExpressions;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Splits a template into text and tag tokens. Whitespace control follows how Hugging Face renders chat
/// templates (transformers' jinja2 environment and @huggingface/jinja agree): <c>trim_blocks</c> and
/// <c>lstrip_blocks</c> on, <c>keep_trailing_newline</c> off, and the explicit <c>-</c>/<c>+</c> modifiers.
/// </summary>
internal sealed partial class Lexer
{
    private readonly SourceText _source;
    private readonly string _src;
    private readonly List<Token> _tokens = [];
    private readonly TagScanner _scanner;
    private int _pos;

    // lstrip_blocks only strips indentation when the text before a tag starts a line; text that begins
    // right after a tag counts as a line start when that tag's end consumed a newline (Jinja's rule).
    private bool _lineStarting = true;

    private Lexer(SourceText source)
    {
        _source = source;
        _src = source.Text;
        _scanner = new TagScanner(source, _tokens);
    }

    public static List<Token> Tokenize(SourceText source)
    {
        var lexer = new Lexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (true)
        {
            int start = FindTagStart(_pos);
            if (start < 0)
            {
                AddText(_src[_pos..], _pos);
                break;
            }

            char kind = _src[start + 1];
            char modifier = start + 2 < _src.Length ? _src[start + 2] : '\0';
            bool hasModifier = modifier == '-' || (modifier == '+' && kind != '{');
            string text = _src[_pos..start];
            if (modifier == '-')
                text = PyString.Strip(text, null, left: false, right: true);
            else if (kind != '{' && modifier != '+')
                text = LStripBlock(text);
            AddText(text, _pos);

            int inner = start + 2 + (hasModifier ? 1 : 0);
            switch (kind)
            {
                case '#':
                    SkipComment(start, inner);
                    break;
                case '%':
                    if (!TryRaw(start, inner))
                        ScanTag(start, inner, block: true);
                    break;
                default:
                    ScanTag(start, inner, block: false);
                    break;
            }
        }

        _tokens.Add(_source.MakeToken(TokenKind.Eof, "", _src.Length));
    }

    private int FindTagStart(int from)
    {
        for (int i = _src.IndexOf('{', from); i >= 0 && i + 1 < _src.Length; i = _src.IndexOf('{', i + 1))
        {
            char next = _src[i + 1];
            if (next is '{' or '%' or '#')
                return i;
        }
        return -1;
    }

    private string LStripBlock(string text)
    {
        int lineStart = text.LastIndexOf('\n') + 1;
        if ((lineStart > 0 || _lineStarting) && lineStart < text.Length && IsAllWhitespace(text, lineStart))
            return text[..lineStart];
        return text;
    }

    private static bool IsAllWhitespace(string text, int from)
    {
        for (int i = from; i < text.Length; i++)
        {
            if (!PyString.IsWhitespace(text[i]))
                return false;
        }
        return true;
    }

    private void AddText(string text, int offset)
    {
        if (text.Length > 0)
            _tokens.Add(_source.MakeToken(TokenKind.Text, text, offset));
    }

    private void SkipComment(int start, int inner)
    {
        int close = _src.IndexOf("#}", inner, StringComparison.Ordinal);
        if (close < 0)
            throw _source.Error(start, "unclosed comment (missing '#}')");
        char before = close - 1 >= inner ? _src[close - 1] : '\0';
        FinishTag(close + 2, before == '-' ? '-' : before == '+' ? '+' : '\0', trimBlocks: true);
    }

    private void ScanTag(int start, int inner, bool block)
    {
        _tokens.Add(_source.MakeToken(block ? TokenKind.BlockBegin : TokenKind.VariableBegin, block ? "{%" : "{{", start));
        int end = _scanner.ScanUntilEnd(inner, block, start, out char endModifier);
        FinishTag(end, endModifier, trimBlocks: block);
    }

    /// <summary>Applies the right-hand whitespace control of a tag ending just before <paramref name="end"/>.</summary>
    private void FinishTag(int end, char endModifier, bool trimBlocks)
    {
        if (endModifier == '-')
        {
            while (end < _src.Length && PyString.IsWhitespace(_src[end]))
                end++;
        }
        else if (trimBlocks && endModifier != '+' && end < _src.Length && _src[end] == '\n')
        {
            end++;
        }
        _lineStarting = _src[end - 1] == '\n';
        _pos = end;
    }

    private bool TryRaw(int start, int inner)
    {
        Match open = RawOpen().Match(_src, inner);
        if (!open.Success || open.Index != inner)
            return false;
        int bodyStart = open.Index + open.Length;
        Match close = RawClose().Match(_src, bodyStart);
        if (!close.Success)
            throw _source.Error(start, "unclosed 'raw' block (expected 'endraw')");

        string body = _src[bodyStart..close.Index];
        char openEnd = open.Groups[1].Value is [var o] ? o : '\0';
        if (openEnd == '-')
            body = PyString.Strip(body, null, left: true, right: false);
        else if (openEnd != '+' && body.StartsWith('\n'))
            body = body[1..];

        char closeBegin = close.Groups[1].Value is [var c] ? c : '\0';
        if (closeBegin == '-')
        {
            body = PyString.Strip(body, null, left: false, right: true);
        }
        else if (closeBegin != '+')
        {
            int lineStart = body.LastIndexOf('\n') + 1;
            if (lineStart > 0 && lineStart < body.Length && IsAllWhitespace(body, lineStart))
                body = body[..lineStart];
        }

        AddText(body, bodyStart);
        char closeEnd = close.Groups[2].Value is [var e] ? e : '\0';
        FinishTag(close.Index + close.Length, closeEnd, trimBlocks: true);
        return true;
    }

    [GeneratedRegex(@"\s*raw\s*([-+]?)%\}")]
    private static partial Regex RawOpen();

    [GeneratedRegex(@"\{%([-+]?)\s*endraw\s*([-+]?)%\}")]
    private static partial Regex RawClose();
}
