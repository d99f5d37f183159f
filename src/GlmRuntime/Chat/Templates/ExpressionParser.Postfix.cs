namespace GlmRuntime.Chat.Templates;

/// <content>Postfix operators (attribute, subscript, call), filters, tests, arguments and assignment targets.</content>
internal sealed partial class ExpressionParser
{
    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            Token t = _s.Current;
            if (t.IsOperator("."))
            {
                _s.Next();
                Token attr = _s.Next();
                node = attr.Kind switch
                {
                    TokenKind.Name => new Expr.GetAttribute(t.Line, t.Column, node, attr.Text),
                    TokenKind.Integer => new Expr.GetItem(t.Line, t.Column, node, new Expr.Literal(attr.Line, attr.Column, attr.Value)),
                    _ => throw _s.Error(attr, $"unexpected {attr.Describe()} (expected an attribute name after '.')"),
                };
            }
            else if (t.IsOperator("["))
            {
                node = ParseSubscript(node);
            }
            else if (t.IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscript(Expr target)
    {
        Token open = _s.Next();
        _s.Enter(open);
        Expr? start = null;
        if (!_s.Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (_s.SkipOperator("]"))
            {
                _s.Exit();
                return new Expr.GetItem(open.Line, open.Column, target, start);
            }
        }
        _s.ExpectOperator(":", "in a subscript");
        Expr? stop = _s.Current.IsOperator(":") || _s.Current.IsOperator("]") ? null : ParseExpression();
        Expr? step = null;
        if (_s.SkipOperator(":") && !_s.Current.IsOperator("]"))
            step = ParseExpression();
        _s.ExpectOperator("]", "to close the subscript");
        _s.Exit();
        return new Expr.Slice(open.Line, open.Column, target, start, stop, step);
    }

    private Expr.Call ParseCall(Expr callee)
    {
        // Located at the callee, so errors point at `name(` rather than at the parenthesis.
        var (args, kwargs) = ParseArguments();
        return new Expr.Call(callee.Line, callee.Column, callee, args, kwargs);
    }

    /// <summary>Parses <c>(a, b, name=value)</c> starting at the '('.</summary>
    public (List<Expr> Args, List<KeyValuePair<string, Expr>> Kwargs) ParseArguments()
    {
        Token open = _s.ExpectOperator("(", "to start the arguments");
        _s.Enter(open);
        var args = new List<Expr>();
        var kwargs = new List<KeyValuePair<string, Expr>>();
        while (!_s.Current.IsOperator(")"))
        {
            if (args.Count + kwargs.Count > 0)
            {
                _s.ExpectOperator(",", "between arguments");
                if (_s.Current.IsOperator(")"))
                    break;
            }
            if (_s.Current.Kind == TokenKind.Name && _s.Peek().IsOperator("="))
            {
                string name = _s.Next().Text;
                _s.Next();
                kwargs.Add(new(name, ParseExpression()));
            }
            else
            {
                if (kwargs.Count > 0)
                    throw _s.Error(_s.Current, "positional argument follows keyword argument");
                args.Add(ParseExpression());
            }
        }
        _s.Next();
        _s.Exit();
        return (args, kwargs);
    }

    private Expr ParseFilterAndTests(Expr node)
    {
        while (true)
        {
            Token t = _s.Current;
            if (t.IsOperator("|"))
            {
                _s.Next();
                node = ParseFilter(node);
            }
            else if (t.IsName("is"))
            {
                _s.Next();
                node = ParseTest(node, t);
            }
            else if (t.IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    /// <summary>Parses <c>name(args) | name2 ...</c> (no leading '|') applied to <paramref name="target"/>.</summary>
    public Expr ParseFilterChain(Expr target)
    {
        Expr node = ParseFilter(target);
        while (_s.SkipOperator("|"))
            node = ParseFilter(node);
        return node;
    }

    private Expr ParseFilter(Expr target)
    {
        Token name = _s.ExpectName("after '|'");
        if (!Filters.Exists(name.Text))
            throw _s.Error(name, $"unknown filter '{name.Text}'");
        List<Expr> args = [];
        List<KeyValuePair<string, Expr>> kwargs = [];
        if (_s.Current.IsOperator("("))
            (args, kwargs) = ParseArguments();
        return new Expr.Filter(name.Line, name.Column, target, name.Text, args, kwargs);
    }

    private Expr ParseTest(Expr target, Token isToken)
    {
        bool negated = _s.SkipName("not");
        Token name = _s.ExpectName("after 'is'");
        if (!TemplateTests.Exists(name.Text))
            throw _s.Error(name, $"unknown test '{name.Text}'");
        var args = new List<Expr>();
        Token t = _s.Current;
        if (t.IsOperator("("))
        {
            var (positional, kwargs) = ParseArguments();
            if (kwargs.Count > 0)
                throw _s.Error(t, $"test '{name.Text}' takes no keyword arguments");
            args = positional;
        }
        else if (t.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float || t.IsOperator("[") || t.IsOperator("{")
                 || (t.Kind == TokenKind.Name && !TestArgumentStops.Contains(t.Text)))
        {
            args.Add(ParsePostfix(ParsePrimary()));
        }
        return new Expr.Test(isToken.Line, isToken.Column, target, name.Text, args, negated);
    }

    /// <summary>
    /// An assignment target: a name, names separated by commas (optionally parenthesised), or, when
    /// <paramref name="allowNamespace"/>, <c>ns.attr</c>.
    /// </summary>
    public Expr ParseAssignTarget(bool allowNamespace)
    {
        Token first = _s.Current;
        if (allowNamespace && first.Kind == TokenKind.Name && _s.Peek().IsOperator("."))
        {
            _s.Next();
            _s.Next();
            Token attr = _s.ExpectName("after '.' in an assignment target");
            return new Expr.GetAttribute(first.Line, first.Column, new Expr.Name(first.Line, first.Column, first.Text), attr.Text);
        }

        bool parens = _s.SkipOperator("(");
        var names = new List<Expr>();
        do
        {
            if (parens && _s.Current.IsOperator(")"))
                break;
            Token name = _s.ExpectName("as an assignment target");
            names.Add(new Expr.Name(name.Line, name.Column, name.Text));
        }
        while (_s.SkipOperator(","));
        if (parens)
            _s.ExpectOperator(")", "to close the assignment target");
        return names.Count == 1 && !parens ? names[0] : new Expr.TupleLiteral(first.Line, first.Column, names);
    }
}
