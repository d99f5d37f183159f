namespace GlmRuntime.Chat.Templates;

/// <summary>Template statement AST (text, output and block tags), nested like <see cref="Expr"/>.</summary>
internal abstract record Node(int Line, int Column)
{
    /// <summary>Literal template text.</summary>
    public sealed record Text(int Line, int Column, string Value) : Node(Line, Column);

    /// <summary><c>{{ expr }}</c>.</summary>
    public sealed record Output(int Line, int Column, Expr Value) : Node(Line, Column);

    /// <summary>One <c>if</c>/<c>elif</c> condition and its body.</summary>
    public sealed record Branch(Expr Condition, IReadOnlyList<Node> Body);

    /// <summary><c>{% if %}...{% elif %}...{% else %}...{% endif %}</c>.</summary>
    public sealed record If(int Line, int Column, IReadOnlyList<Branch> Branches, IReadOnlyList<Node>? Else) : Node(Line, Column);

    /// <summary><c>{% for target in iterable if filter %}...{% else %}...{% endfor %}</c>.</summary>
    public sealed record For(int Line, int Column, Expr Target, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node>? Else)
        : Node(Line, Column);

    /// <summary><c>{% set target = value %}</c>; the target is a name, a tuple of names or <c>ns.attr</c>.</summary>
    public sealed record Set(int Line, int Column, Expr Target, Expr Value) : Node(Line, Column);

    /// <summary><c>{% set target | filters %}body{% endset %}</c>; <see cref="Filter"/> is applied to a placeholder name.</summary>
    public sealed record SetBlock(int Line, int Column, Expr Target, Expr? Filter, IReadOnlyList<Node> Body) : Node(Line, Column);

    /// <summary>A macro or caller parameter with its optional default.</summary>
    public sealed record Parameter(string Name, Expr? Default);

    /// <summary><c>{% macro name(params) %}body{% endmacro %}</c>.</summary>
    public sealed record Macro(int Line, int Column, string Name, IReadOnlyList<Parameter> Parameters, IReadOnlyList<Node> Body) : Node(Line, Column);

    /// <summary><c>{% call(params) macro(args) %}body{% endcall %}</c>: the body becomes <c>caller()</c>.</summary>
    public sealed record CallBlock(int Line, int Column, Expr.Call Call, IReadOnlyList<Parameter> CallerParameters, IReadOnlyList<Node> Body)
        : Node(Line, Column);

    /// <summary><c>{% filter f %}body{% endfilter %}</c>; <see cref="Filter"/> is applied to a placeholder name.</summary>
    public sealed record FilterBlock(int Line, int Column, Expr Filter, IReadOnlyList<Node> Body) : Node(Line, Column);

    /// <summary><c>{% with a = 1 %}body{% endwith %}</c>: assignments scoped to the body.</summary>
    public sealed record With(int Line, int Column, IReadOnlyList<KeyValuePair<Expr, Expr>> Assignments, IReadOnlyList<Node> Body) : Node(Line, Column);

    /// <summary>A transparent block (<c>{% generation %}</c>, which only marks assistant spans for training masks).</summary>
    public sealed record Block(int Line, int Column, IReadOnlyList<Node> Body) : Node(Line, Column);

    /// <summary><c>{% do expr %}</c>: evaluate for side effects.</summary>
    public sealed record Do(int Line, int Column, Expr Value) : Node(Line, Column);

    /// <summary><c>{% break %}</c>.</summary>
    public sealed record Break(int Line, int Column) : Node(Line, Column);

    /// <summary><c>{% continue %}</c>.</summary>
    public sealed record Continue(int Line, int Column) : Node(Line, Column);

    /// <summary>The name that filter blocks and filtered set blocks bind the rendered body to.</summary>
    public const string BodyPlaceholder = " body";
}
