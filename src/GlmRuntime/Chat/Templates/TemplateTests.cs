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
        // jinja2 defines these with Python's %, so floats work too (1.5 is neither odd nor even).
        ["odd"] = (v, _) => PyValues.PyEquals(Operators.Binary("%", v, 2L, 0), 1L),
        ["even"] = (v, _) => PyValues.PyEquals(Operators.Binary("%", v, 2L, 0), 0L),
        ["divisibleby"] = (v, a) => PyValues.PyEquals(Operators.Binary("%", v, Arg(a, "divisibleby"), 0), 0L),
        ["eq"] = (v, a) => PyValues.PyEquals(v, Arg(a, "eq")),
        ["ne"] = (v, a) => !PyValues.PyEquals(v, Arg(a, "ne")),
        ["lt"] = (v, a) => PyValues.Compare(v, Arg(a, "lt"), "<") < 0,
        ["le"] = (v, a) => PyValues.Compare(v, Arg(a, "le"), "<=") <= 0,
        ["gt"] = (v, a) => PyValues.Compare(v, Arg(a, "gt"), ">") > 0,
        ["ge"] = (v, a) => PyValues.Compare(v, Arg(a, "ge"), ">=") >= 0,
        ["in"] = (v, a) => PyValues.Contains(Arg(a, "in"), v),
        ["sameas"] = (v, a) => SameAs(v, Arg(a, "sameas")),
        // Python's str(value).islower()/isupper(): at least one cased character, none of the other case.
        ["lower"] = (v, _) => PyFormat.Str(v) is var s && s.Any(char.IsLower) && !s.Any(char.IsUpper),
        ["upper"] = (v, _) => PyFormat.Str(v) is var s && s.Any(char.IsUpper) && !s.Any(char.IsLower),
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

    // Python `is`: identity for containers, value equality for the interned immutables templates compare.
    private static bool SameAs(object? a, object? b) => a switch
    {
        null => b is null,
        bool or long or double or string => a.GetType() == b?.GetType() && PyValues.PyEquals(a, b),
        _ => ReferenceEquals(a, b),
    };
}
