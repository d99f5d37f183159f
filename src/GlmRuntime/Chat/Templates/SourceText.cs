namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Template source with newlines normalised to <c>\n</c> (as Jinja does for template data) and an index of
/// line starts, so offsets become 1-based line/column pairs for error messages.
/// </summary>
internal sealed class SourceText
{
    private readonly List<int> _lineStarts = [0];

    public SourceText(string source, string? name)
    {
        string text = source.Contains('\r') ? source.Replace("\r\n", "\n").Replace('\r', '\n') : source;
        // keep_trailing_newline=False: Jinja drops one trailing newline of the template.
        if (text.EndsWith('\n'))
            text = text[..^1];
        Text = text;
        Name = name;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
                _lineStarts.Add(i + 1);
        }
    }

    /// <summary>The normalised source.</summary>
    public string Text { get; }

    /// <summary>Template name for error messages.</summary>
    public string? Name { get; }

    public (int Line, int Column) Locate(int offset)
    {
        int index = _lineStarts.BinarySearch(offset);
        if (index < 0)
            index = ~index - 1;
        return (index + 1, offset - _lineStarts[index] + 1);
    }

    public Token MakeToken(TokenKind kind, string text, int offset, object? value = null)
    {
        var (line, column) = Locate(offset);
        return new Token(kind, text, line, column, value);
    }

    public ChatTemplateException Error(int offset, string reason)
    {
        var (line, column) = Locate(offset);
        return new ChatTemplateException(reason, line, column, Name, isRaisedByTemplate: false);
    }
}
