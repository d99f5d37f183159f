using System.Collections.Frozen;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// The Jinja tests (<c>x is defined</c>, <c>x is divisibleby 3</c>...) with jinja2's definitions:
/// bool counts as a number but not as an integer, strings/lists/dicts (and undefined) are iterable,
/// only dicts are mappings.
/// </summary>
internal static class TemplateTests
{
    private delegate bool TestFunction(object? value, IReadOnlyList<object?> args);

    private static readonly FrozenDictionary<string, TestFunction> All = new Dictionary<string, TestFunction>
    {
        ["defined"] = (v, _) => v is not Undefined,
        ["undefined"] = (v, _) => v is Undefined,
        ["none"] = (v, _) => v is null,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["number"] = (v, _) => PyValues.IsNumber(v),
        ["string"] = (v, _) => v is string,
        ["mapping"] = (v, _) => v is JinjaDict,
        ["iterable"] = (v, _) => v is string or IReadOnlyList<object?> or JinjaDict or Undefined,
        ["sequence"] = (v, _) => v is string or IReadOnlyList<object?> or JinjaDict or Undefined,
        ["callable"] = (v, _) => v is JinjaCallable,
        ["odd"] = (v, _) => Integer(v, "odd") % 2 != 0,
        ["even"] = (v, _) => Integer(v, "even") % 2 == 0,
        ["divisibleby"] = (v, a) =>
        {
            long divisor = Integer(Arg(a, "divisibleby"), "divisibleby");
            return divisor != 0 ? Integer(v, "divisibleby") % divisor == 0 : throw new TemplateError("divisibleby: division by zero");
        },
        ["eq"] = (v, a) => PyValues.PyEquals(v, Arg(a, "eq")),
        ["ne"] = (v, a) => !PyValues.PyEquals(v, Arg(a, "ne")),
        ["lt"] = (v, a) => PyValues.Compare(v, Arg(a, "lt"), "<") < 0,
        ["le"] = (v, a) => PyValues.Compare(v, Arg(a, "le"), "<=") <= 0,
        ["gt"] = (v, a) => PyValues.Compare(v, Arg(a, "gt"), ">") > 0,
        ["ge"] = (v, a) => PyValues.Compare(v, Arg(a, "ge"), ">=") >= 0,
        ["in"] = (v, a) => PyValues.Contains(Arg(a, "in"), v),
        ["sameas"] = (v, a) => SameAs(v, Arg(a, "sameas")),
        ["lower"] = (v, _) => v is string s && s.ToLowerInvariant() == s,
        ["upper"] = (v, _) => v is string s && s.ToUpperInvariant() == s,
        ["escaped"] = (_, _) => false,
        ["filter"] = (v, _) => v is string name && Filters.Exists(name),
        ["test"] = (v, _) => v is string name && Exists(name),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["equalto"] = "eq",
        ["=="] = "eq",
        ["!="] = "ne",
        ["lessthan"] = "lt",
        ["<"] = "lt",
        ["<="] = "le",
        ["greaterthan"] = "gt",
        [">"] = "gt",
        [">="] = "ge",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool Exists(string name) => All.ContainsKey(name) || Aliases.ContainsKey(name);

    public static bool Apply(string name, object? value, IReadOnlyList<object?> args)
    {
        if (Aliases.TryGetValue(name, out string? target))
            name = target;
        if (!All.TryGetValue(name, out TestFunction? test))
            throw new TemplateError($"unknown test '{name}'");
        return test(value, args);
    }

    private static object? Arg(IReadOnlyList<object?> args, string test) =>
        args.Count == 1 ? args[0] : throw new TemplateError($"test '{test}' takes exactly one argument ({args.Count} given)");

    private static long Integer(object? value, string test) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d when d == Math.Floor(d) => (long)d,
        Undefined u => throw u.Fail(),
        _ => throw new TemplateError($"test '{test}' needs an integer, not {PyValues.TypeName(value)}"),
    };

    // Python `is`: identity for containers, value equality for the interned immutables templates compare.
    private static bool SameAs(object? a, object? b) => a switch
    {
        null => b is null,
        bool or long or double or string => a.GetType() == b?.GetType() && PyValues.PyEquals(a, b),
        _ => ReferenceEquals(a, b),
    };
}
