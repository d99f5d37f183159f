using System.Runtime.CompilerServices;

namespace GlmRuntime.Chat.Templates;

/// <summary>Cursor over the lexer's tokens with the expect/skip helpers and the nesting guard the parsers share.</summary>
internal sealed class TokenStream
{
    private readonly List<Token> _tokens;
    private readonly int _maxNesting;
    private int _index;
    private int _nesting;

    public TokenStream(SourceText source, List<Token> tokens, TemplateLimits limits)
    {
        Source = source;
        _tokens = tokens;
        _maxNesting = limits.MaxNestingDepth;
    }

    public SourceText Source { get; }

    public Token Current => _tokens[_index];

    public Token Peek(int ahead = 1) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    public Token Next()
    {
        Token token = _tokens[_index];
        if (_index < _tokens.Count - 1)
            _index++;
        return token;
    }

    public bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op))
            return false;
        Next();
        return true;
    }

    public bool SkipName(string name)
    {
        if (!Current.IsName(name))
            return false;
        Next();
        return true;
    }

    public Token ExpectOperator(string op, string context)
    {
        if (!Current.IsOperator(op))
            throw Error(Current, $"unexpected {Current.Describe()} (expected '{op}' {context})");
        return Next();
    }

    public Token ExpectName(string context)
    {
        if (Current.Kind != TokenKind.Name)
            throw Error(Current, $"unexpected {Current.Describe()} (expected a name {context})");
        return Next();
    }

    public void ExpectKeyword(string keyword, string context)
    {
        if (!Current.IsName(keyword))
            throw Error(Current, $"unexpected {Current.Describe()} (expected '{keyword}' {context})");
        Next();
    }

    public void ExpectBlockEnd(string statement)
    {
        if (Current.Kind != TokenKind.BlockEnd)
            throw Error(Current, $"unexpected {Current.Describe()} in '{statement}' tag (expected '%}}')");
        Next();
    }

    /// <summary>
    /// Enters one level of syntactic nesting. The explicit cap gives a clear error long before the
    /// recursive-descent parser (and later the evaluator) could overflow the stack.
    /// </summary>
    public void Enter(Token at)
    {
        if (++_nesting > _maxNesting || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Error(at, $"template nesting is too deep (more than {_maxNesting} levels)");
    }

    public void Exit() => _nesting--;

    public ChatTemplateException Error(Token at, string reason) =>
        new(reason, at.Line, at.Column, Source.Name, isRaisedByTemplate: false);
}
