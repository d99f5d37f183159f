namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Expression AST. The node kinds are nested so the whole tree reads in one place; every node carries
/// the 1-based position that runtime errors report.
/// </summary>
internal abstract record Expr(int Line, int Column)
{
    /// <summary>A constant: null, bool, long, double or string.</summary>
    public sealed record Literal(int Line, int Column, object? Value) : Expr(Line, Column);

    /// <summary>A variable reference.</summary>
    public sealed record Name(int Line, int Column, string Identifier) : Expr(Line, Column);

    /// <summary><c>[a, b]</c>: a new mutable list per evaluation.</summary>
    public sealed record ListLiteral(int Line, int Column, IReadOnlyList<Expr> Items) : Expr(Line, Column);

    /// <summary><c>(a, b)</c> or a bare <c>a, b</c>.</summary>
    public sealed record TupleLiteral(int Line, int Column, IReadOnlyList<Expr> Items) : Expr(Line, Column);

    /// <summary><c>{k: v}</c>, keys in source order.</summary>
    public sealed record DictLiteral(int Line, int Column, IReadOnlyList<KeyValuePair<Expr, Expr>> Pairs) : Expr(Line, Column);

    /// <summary><c>target.attribute</c>: Python attribute first, then item (Jinja's <c>getattr</c>).</summary>
    public sealed record GetAttribute(int Line, int Column, Expr Target, string Attribute) : Expr(Line, Column);

    /// <summary><c>target[key]</c>: item first, then attribute (Jinja's <c>getitem</c>).</summary>
    public sealed record GetItem(int Line, int Column, Expr Target, Expr Key) : Expr(Line, Column);

    /// <summary><c>target[start:stop:step]</c>.</summary>
    public sealed record Slice(int Line, int Column, Expr Target, Expr? Start, Expr? Stop, Expr? Step) : Expr(Line, Column);

    /// <summary><c>callee(args, name=value)</c>.</summary>
    public sealed record Call(int Line, int Column, Expr Callee, IReadOnlyList<Expr> Args, IReadOnlyList<KeyValuePair<string, Expr>> Kwargs)
        : Expr(Line, Column);

    /// <summary><c>target | name(args)</c>.</summary>
    public sealed record Filter(int Line, int Column, Expr Target, string FilterName, IReadOnlyList<Expr> Args, IReadOnlyList<KeyValuePair<string, Expr>> Kwargs)
        : Expr(Line, Column);

    /// <summary><c>target is [not] name(args)</c>.</summary>
    public sealed record Test(int Line, int Column, Expr Target, string TestName, IReadOnlyList<Expr> Args, bool Negated) : Expr(Line, Column);

    /// <summary><c>not x</c>, <c>-x</c>, <c>+x</c>.</summary>
    public sealed record Unary(int Line, int Column, string Operator, Expr Operand) : Expr(Line, Column);

    /// <summary>Arithmetic, <c>~</c>, and the short-circuit <c>and</c>/<c>or</c>.</summary>
    public sealed record Binary(int Line, int Column, string Operator, Expr Left, Expr Right) : Expr(Line, Column);

    /// <summary>A comparison chain <c>a &lt; b &lt;= c</c>; operators include <c>in</c> and <c>not in</c>.</summary>
    public sealed record Compare(int Line, int Column, Expr First, IReadOnlyList<KeyValuePair<string, Expr>> Rest) : Expr(Line, Column);

    /// <summary><c>then if condition else otherwise</c>; a missing else yields undefined.</summary>
    public sealed record Conditional(int Line, int Column, Expr Condition, Expr Then, Expr? Otherwise) : Expr(Line, Column);
}
