using System.Collections.Frozen;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Recursive-descent parser for Jinja expressions with jinja2's precedence, loosest first:
/// conditional, <c>or</c>, <c>and</c>, <c>not</c>, comparisons/<c>in</c>, <c>+ -</c>, <c>~</c>,
/// <c>* / // %</c>, <c>**</c>, unary <c>- +</c>, then primaries with postfix <c>.</c>/<c>[]</c>/calls,
/// filters <c>|</c> and tests <c>is</c>.
/// </summary>
internal sealed partial class ExpressionParser
{
    // Names that end a test (`x is defined and y`) instead of being read as its argument.
    private static readonly FrozenSet<string> TestArgumentStops = FrozenSet.Create(StringComparer.Ordinal, "else", "or", "and", "if", "in", "not", "is", "recursive");

    private readonly TokenStream _s;

    public ExpressionParser(TokenStream stream) => _s = stream;

    /// <summary>An expression or an unparenthesised tuple (<c>{{ a, b }}</c>, <c>{% set x = 1, 2 %}</c>).</summary>
    public Expr ParseTuple(bool withCondExpr = true, bool explicitParens = false)
    {
        Token start = _s.Current;
        var items = new List<Expr>();
        bool isTuple = false;
        while (true)
        {
            if (items.Count > 0)
                _s.ExpectOperator(",", "between tuple items");
            if (IsTupleEnd())
                break;
            items.Add(withCondExpr ? ParseExpression() : ParseOr());
            if (_s.Current.IsOperator(","))
                isTuple = true;
            else
                break;
        }
        if (!isTuple)
        {
            if (items.Count > 0)
                return items[0];
            if (!explicitParens)
                throw _s.Error(_s.Current, $"unexpected {_s.Current.Describe()} (expected an expression)");
        }
        return new Expr.TupleLiteral(start.Line, start.Column, items);
    }

    private bool IsTupleEnd()
    {
        Token t = _s.Current;
        return t.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd or TokenKind.Eof || t.IsOperator(")");
    }

    public Expr ParseExpression(bool withCondExpr = true) => withCondExpr ? ParseConditional() : ParseOr();

    private Expr ParseConditional()
    {
        Expr expr = ParseOr();
        while (_s.Current.IsName("if"))
        {
            Token at = _s.Next();
            Expr test = ParseOr();
            Expr? otherwise = null;
            if (_s.SkipName("else"))
            {
                _s.Enter(at);
                otherwise = ParseConditional();
                _s.Exit();
            }
            expr = new Expr.Conditional(at.Line, at.Column, test, expr, otherwise);
        }
        return expr;
    }

    private Expr ParseOr()
    {
        Expr left = ParseAnd();
        while (_s.Current.IsName("or"))
        {
            Token at = _s.Next();
            left = new Expr.Binary(at.Line, at.Column, "or", left, ParseAnd());
        }
        return left;
    }

    private Expr ParseAnd()
    {
        Expr left = ParseNot();
        while (_s.Current.IsName("and"))
        {
            Token at = _s.Next();
            left = new Expr.Binary(at.Line, at.Column, "and", left, ParseNot());
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (!_s.Current.IsName("not"))
            return ParseCompare();
        Token at = _s.Next();
        _s.Enter(at);
        Expr operand = ParseNot();
        _s.Exit();
        return new Expr.Unary(at.Line, at.Column, "not", operand);
    }

    private Expr ParseCompare()
    {
        Token start = _s.Current;
        Expr first = ParseMath1();
        var rest = new List<KeyValuePair<string, Expr>>();
        while (true)
        {
            Token t = _s.Current;
            string? op = null;
            if (t.Kind == TokenKind.Operator && t.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                op = t.Text;
                _s.Next();
            }
            else if (t.IsName("in"))
            {
                op = "in";
                _s.Next();
            }
            else if (t.IsName("not") && _s.Peek().IsName("in"))
            {
                op = "not in";
                _s.Next();
                _s.Next();
            }
            if (op is null)
                break;
            rest.Add(new(op, ParseMath1()));
        }
        return rest.Count == 0 ? first : new Expr.Compare(start.Line, start.Column, first, rest);
    }

    private Expr ParseMath1()
    {
        Expr left = ParseConcat();
        while (_s.Current.Kind == TokenKind.Operator && _s.Current.Text is "+" or "-")
        {
            Token at = _s.Next();
            left = new Expr.Binary(at.Line, at.Column, at.Text, left, ParseConcat());
        }
        return left;
    }

    private Expr ParseConcat()
    {
        Expr left = ParseMath2();
        while (_s.Current.IsOperator("~"))
        {
            Token at = _s.Next();
            left = new Expr.Binary(at.Line, at.Column, "~", left, ParseMath2());
        }
        return left;
    }

    private Expr ParseMath2()
    {
        Expr left = ParsePow();
        while (_s.Current.Kind == TokenKind.Operator && _s.Current.Text is "*" or "/" or "//" or "%")
        {
            Token at = _s.Next();
            left = new Expr.Binary(at.Line, at.Column, at.Text, left, ParsePow());
        }
        return left;
    }

    private Expr ParsePow()
    {
        Expr left = ParseUnary(withFilter: true);
        while (_s.Current.IsOperator("**"))
        {
            Token at = _s.Next();
            left = new Expr.Binary(at.Line, at.Column, "**", left, ParseUnary(withFilter: true));
        }
        return left;
    }

    private Expr ParseUnary(bool withFilter)
    {
        Token t = _s.Current;
        Expr node;
        if (t.IsOperator("-") || t.IsOperator("+"))
        {
            _s.Next();
            _s.Enter(t);
            node = new Expr.Unary(t.Line, t.Column, t.Text, ParseUnary(withFilter: false));
            _s.Exit();
        }
        else
        {
            node = ParsePrimary();
        }
        node = ParsePostfix(node);
        return withFilter ? ParseFilterAndTests(node) : node;
    }

    private Expr ParsePrimary()
    {
        Token t = _s.Current;
        switch (t.Kind)
        {
            case TokenKind.Name:
                _s.Next();
                return t.Text switch
                {
                    "true" or "True" => new Expr.Literal(t.Line, t.Column, true),
                    "false" or "False" => new Expr.Literal(t.Line, t.Column, false),
                    "none" or "None" => new Expr.Literal(t.Line, t.Column, null),
                    _ => new Expr.Name(t.Line, t.Column, t.Text),
                };
            case TokenKind.String:
                // Adjacent literals concatenate, as in Python.
                string value = (string)_s.Next().Value!;
                while (_s.Current.Kind == TokenKind.String)
                    value += (string)_s.Next().Value!;
                return new Expr.Literal(t.Line, t.Column, value);
            case TokenKind.Integer:
            case TokenKind.Float:
                _s.Next();
                return new Expr.Literal(t.Line, t.Column, t.Value);
        }

        if (t.IsOperator("("))
        {
            _s.Next();
            _s.Enter(t);
            Expr inner = ParseTuple(explicitParens: true);
            _s.ExpectOperator(")", "to close '('");
            _s.Exit();
            return inner;
        }
        if (t.IsOperator("["))
            return ParseList(t);
        if (t.IsOperator("{"))
            return ParseDict(t);
        throw _s.Error(t, $"unexpected {t.Describe()} (expected an expression)");
    }

    private Expr ParseList(Token open)
    {
        _s.Next();
        _s.Enter(open);
        var items = new List<Expr>();
        while (!_s.Current.IsOperator("]"))
        {
            if (items.Count > 0)
            {
                _s.ExpectOperator(",", "between list items");
                if (_s.Current.IsOperator("]"))
                    break;
            }
            items.Add(ParseExpression());
        }
        _s.Next();
        _s.Exit();
        return new Expr.ListLiteral(open.Line, open.Column, items);
    }

    private Expr ParseDict(Token open)
    {
        _s.Next();
        _s.Enter(open);
        var pairs = new List<KeyValuePair<Expr, Expr>>();
        while (!_s.Current.IsOperator("}"))
        {
            if (pairs.Count > 0)
            {
                _s.ExpectOperator(",", "between dict items");
                if (_s.Current.IsOperator("}"))
                    break;
            }
            Expr key = ParseExpression();
            _s.ExpectOperator(":", "after a dict key");
            pairs.Add(new(key, ParseExpression()));
        }
        _s.Next();
        _s.Exit();
        return new Expr.DictLiteral(open.Line, open.Column, pairs);
    }
}
