namespace GlmRuntime.Chat.Templates;

/// <summary>Kinds of lexical tokens of a template.</summary>
internal enum TokenKind
{
    /// <summary>Literal template text between tags (whitespace control already applied).</summary>
    Text,
    /// <summary><c>{{</c></summary>
    VariableBegin,
    /// <summary><c>}}</c></summary>
    VariableEnd,
    /// <summary><c>{%</c></summary>
    BlockBegin,
    /// <summary><c>%}</c></summary>
    BlockEnd,
    /// <summary>Identifier or keyword (keywords are contextual in Jinja).</summary>
    Name,
    /// <summary>String literal; <see cref="Token.Value"/> holds the unescaped string.</summary>
    String,
    /// <summary>Integer literal; <see cref="Token.Value"/> holds a long.</summary>
    Integer,
    /// <summary>Float literal; <see cref="Token.Value"/> holds a double.</summary>
    Float,
    /// <summary>Operator or punctuation; <see cref="Token.Text"/> is its spelling.</summary>
    Operator,
    /// <summary>End of the template.</summary>
    Eof,
}
