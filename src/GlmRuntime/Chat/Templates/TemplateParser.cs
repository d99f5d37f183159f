using System.Collections.Frozen;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Parses the token stream into statement nodes. Block tags are matched here, so an unclosed or
/// mismatched block is reported at its opening tag with the end tag that was expected.
/// </summary>
internal sealed class TemplateParser
{
    private static readonly FrozenSet<string> UnsupportedTags = FrozenSet.Create(StringComparer.Ordinal, "include", "extends", "import", "from", "block", "endblock", "autoescape", "trans");

    private readonly TokenStream _s;
    private readonly ExpressionParser _e;
    private readonly Stack<(string Tag, Token At)> _open = new();
    private int _loopDepth;

    private TemplateParser(TokenStream stream)
    {
        _s = stream;
        _e = new ExpressionParser(stream);
    }

    public static IReadOnlyList<Node> Parse(SourceText source, TemplateLimits limits)
    {
        var stream = new TokenStream(source, Lexer.Tokenize(source), limits);
        return new TemplateParser(stream).ParseBody([], out _);
    }

    /// <summary>Parses nodes up to one of <paramref name="endTags"/>; the stream is left after that tag's name.</summary>
    private List<Node> ParseBody(string[] endTags, out string endTag)
    {
        var nodes = new List<Node>();
        while (true)
        {
            Token t = _s.Current;
            switch (t.Kind)
            {
                case TokenKind.Text:
                    _s.Next();
                    nodes.Add(new Node.Text(t.Line, t.Column, t.Text));
                    break;
                case TokenKind.VariableBegin:
                    _s.Next();
                    Expr value = _e.ParseTuple();
                    if (_s.Current.Kind != TokenKind.VariableEnd)
                        throw _s.Error(_s.Current, $"unexpected {_s.Current.Describe()} (expected '}}}}')");
                    _s.Next();
                    nodes.Add(new Node.Output(t.Line, t.Column, value));
                    break;
                case TokenKind.BlockBegin:
                    Token name = _s.Peek();
                    if (name.Kind != TokenKind.Name)
                        throw _s.Error(name, $"unexpected {name.Describe()} (expected a tag name after '{{%')");
                    if (Array.IndexOf(endTags, name.Text) >= 0)
                    {
                        _s.Next();
                        _s.Next();
                        endTag = name.Text;
                        return nodes;
                    }
                    _s.Next();
                    nodes.Add(ParseStatement());
                    break;
                case TokenKind.Eof:
                    if (endTags.Length > 0)
                    {
                        var (tag, at) = _open.Peek();
                        throw _s.Error(at, $"unclosed '{tag}' block (expected {string.Join(" or ", endTags.Select(e => $"'{e}'"))} before the end of the template)");
                    }
                    endTag = "";
                    return nodes;
                default:
                    throw _s.Error(t, $"unexpected {t.Describe()}");
            }
        }
    }

    /// <summary>Parses the body of a block opened at <paramref name="at"/>, tracking it for error messages and the nesting cap.</summary>
    private List<Node> ParseBlockBody(string tag, Token at, string[] endTags, out string endTag)
    {
        _open.Push((tag, at));
        _s.Enter(at);
        List<Node> body = ParseBody(endTags, out endTag);
        _s.Exit();
        _open.Pop();
        return body;
    }

    private Node ParseStatement()
    {
        Token t = _s.Next();
        switch (t.Text)
        {
            case "if": return ParseIf(t);
            case "for": return ParseFor(t);
            case "set": return ParseSet(t);
            case "macro": return ParseMacro(t);
            case "call": return ParseCallBlock(t);
            case "filter": return ParseFilterBlock(t);
            case "with": return ParseWith(t);
            case "generation":
                _s.ExpectBlockEnd("generation");
                List<Node> body = ParseBlockBody("generation", t, ["endgeneration"], out _);
                _s.ExpectBlockEnd("endgeneration");
                return new Node.Block(t.Line, t.Column, body);
            case "do":
                Expr value = _e.ParseTuple();
                _s.ExpectBlockEnd("do");
                return new Node.Do(t.Line, t.Column, value);
            case "break":
            case "continue":
                if (_loopDepth == 0)
                    throw _s.Error(t, $"'{t.Text}' outside of a 'for' loop");
                _s.ExpectBlockEnd(t.Text);
                return t.Text == "break" ? new Node.Break(t.Line, t.Column) : new Node.Continue(t.Line, t.Column);
        }

        if (UnsupportedTags.Contains(t.Text))
            throw _s.Error(t, $"unsupported tag '{t.Text}'");
        if (t.Text.StartsWith("end", StringComparison.Ordinal) || t.Text is "elif" or "else")
        {
            if (_open.Count == 0)
                throw _s.Error(t, $"unexpected '{t.Text}' (no block is open)");
            var (tag, at) = _open.Peek();
            throw _s.Error(t, $"unexpected '{t.Text}' (the innermost open block is '{tag}' from line {at.Line}, expected 'end{tag}')");
        }
        throw _s.Error(t, $"unknown tag '{t.Text}'");
    }

    private Node ParseIf(Token at)
    {
        var branches = new List<Node.Branch>();
        List<Node>? otherwise = null;
        Expr condition = _e.ParseTuple(withCondExpr: false);
        _s.ExpectBlockEnd("if");
        while (true)
        {
            List<Node> body = ParseBlockBody("if", at, ["elif", "else", "endif"], out string end);
            branches.Add(new Node.Branch(condition, body));
            if (end == "elif")
            {
                condition = _e.ParseTuple(withCondExpr: false);
                _s.ExpectBlockEnd("elif");
                continue;
            }
            if (end == "else")
            {
                _s.ExpectBlockEnd("else");
                otherwise = ParseBlockBody("if", at, ["endif"], out _);
            }
            _s.ExpectBlockEnd("endif");
            return new Node.If(at.Line, at.Column, branches, otherwise);
        }
    }

    private Node ParseFor(Token at)
    {
        Expr target = _e.ParseAssignTarget(allowNamespace: false);
        _s.ExpectKeyword("in", "in 'for' tag");
        Expr iterable = _e.ParseTuple(withCondExpr: false);
        Expr? filter = _s.SkipName("if") ? _e.ParseExpression() : null;
        if (_s.Current.IsName("recursive"))
            throw _s.Error(_s.Current, "recursive 'for' loops are not supported");
        _s.ExpectBlockEnd("for");

        _loopDepth++;
        List<Node> body = ParseBlockBody("for", at, ["endfor", "else"], out string end);
        _loopDepth--;
        List<Node>? otherwise = null;
        if (end == "else")
        {
            _s.ExpectBlockEnd("else");
            otherwise = ParseBlockBody("for", at, ["endfor"], out _);
        }
        _s.ExpectBlockEnd("endfor");
        return new Node.For(at.Line, at.Column, target, iterable, filter, body, otherwise);
    }

    private Node ParseSet(Token at)
    {
        Expr target = _e.ParseAssignTarget(allowNamespace: true);
        if (_s.SkipOperator("="))
        {
            Expr value = _e.ParseTuple();
            _s.ExpectBlockEnd("set");
            return new Node.Set(at.Line, at.Column, target, value);
        }

        Expr? filter = null;
        if (_s.SkipOperator("|"))
            filter = _e.ParseFilterChain(new Expr.Name(at.Line, at.Column, Node.BodyPlaceholder));
        _s.ExpectBlockEnd("set");
        List<Node> body = ParseBlockBody("set", at, ["endset"], out _);
        _s.ExpectBlockEnd("endset");
        return new Node.SetBlock(at.Line, at.Column, target, filter, body);
    }

    private Node ParseMacro(Token at)
    {
        Token name = _s.ExpectName("after 'macro'");
        List<Node.Parameter> parameters = ParseSignature();
        _s.ExpectBlockEnd("macro");
        int savedLoopDepth = _loopDepth;
        _loopDepth = 0;
        List<Node> body = ParseBlockBody("macro", at, ["endmacro"], out _);
        _loopDepth = savedLoopDepth;
        _s.SkipName(name.Text);
        _s.ExpectBlockEnd("endmacro");
        return new Node.Macro(at.Line, at.Column, name.Text, parameters, body);
    }

    private List<Node.Parameter> ParseSignature()
    {
        var parameters = new List<Node.Parameter>();
        _s.ExpectOperator("(", "to start the parameter list");
        while (!_s.Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                _s.ExpectOperator(",", "between parameters");
                if (_s.Current.IsOperator(")"))
                    break;
            }
            Token name = _s.ExpectName("as a parameter");
            Expr? defaultValue = null;
            if (_s.SkipOperator("="))
                defaultValue = _e.ParseExpression();
            else if (parameters.Count > 0 && parameters[^1].Default is not null)
                throw _s.Error(name, $"parameter '{name.Text}' without a default follows a parameter with a default");
            parameters.Add(new Node.Parameter(name.Text, defaultValue));
        }
        _s.Next();
        return parameters;
    }

    private Node ParseCallBlock(Token at)
    {
        List<Node.Parameter> callerParameters = _s.Current.IsOperator("(") ? ParseSignature() : [];
        Token callStart = _s.Current;
        if (_e.ParseExpression() is not Expr.Call call)
            throw _s.Error(callStart, "expected a macro call in 'call' tag");
        _s.ExpectBlockEnd("call");
        int savedLoopDepth = _loopDepth;
        _loopDepth = 0;
        List<Node> body = ParseBlockBody("call", at, ["endcall"], out _);
        _loopDepth = savedLoopDepth;
        _s.ExpectBlockEnd("endcall");
        return new Node.CallBlock(at.Line, at.Column, call, callerParameters, body);
    }

    private Node ParseFilterBlock(Token at)
    {
        Expr filter = _e.ParseFilterChain(new Expr.Name(at.Line, at.Column, Node.BodyPlaceholder));
        _s.ExpectBlockEnd("filter");
        List<Node> body = ParseBlockBody("filter", at, ["endfilter"], out _);
        _s.ExpectBlockEnd("endfilter");
        return new Node.FilterBlock(at.Line, at.Column, filter, body);
    }

    private Node ParseWith(Token at)
    {
        var assignments = new List<KeyValuePair<Expr, Expr>>();
        while (_s.Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
                _s.ExpectOperator(",", "between 'with' assignments");
            Expr target = _e.ParseAssignTarget(allowNamespace: false);
            _s.ExpectOperator("=", "in 'with' tag");
            assignments.Add(new(target, _e.ParseExpression()));
        }
        _s.ExpectBlockEnd("with");
        List<Node> body = ParseBlockBody("with", at, ["endwith"], out _);
        _s.ExpectBlockEnd("endwith");
        return new Node.With(at.Line, at.Column, assignments, body);
    }
}
