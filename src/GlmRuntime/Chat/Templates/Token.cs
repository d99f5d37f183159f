namespace GlmRuntime.Chat.Templates;

/// <summary>One lexical token with its 1-based source position.</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Text">Source spelling (for text tokens: the text after whitespace control).</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Value">Literal value for strings and numbers.</param>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column, object? Value = null)
{
    public bool IsOperator(string op) => Kind == TokenKind.Operator && Text == op;

    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.BlockBegin => "'{%'",
        TokenKind.VariableBegin => "'{{'",
        TokenKind.Text => "template text",
        _ => $"'{Text}'",
    };
}
