using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// The Jinja filters (<c>value | name(args)</c>): string and scalar filters here, sequence filters in
/// <see cref="CollectionFilters"/>. <c>tojson</c> is Hugging Face's variant (json.dumps with
/// <c>ensure_ascii=False</c>, no HTML escaping), which is what chat templates are written against.
/// </summary>
internal static partial class Filters
{
    /// <summary>A filter body: receives the evaluator (for nested filters/tests), the input value and the arguments.</summary>
    public delegate object? FilterFunction(ExpressionEvaluator evaluator, object? value, Arguments args);

    private static readonly FrozenDictionary<string, FilterFunction> All = BuildRegistry();

    public static bool Exists(string name) => All.ContainsKey(name);

    public static object? Apply(ExpressionEvaluator evaluator, string name, object? value, Arguments args) =>
        All.TryGetValue(name, out FilterFunction? filter) ? filter(evaluator, value, args) : throw new TemplateError($"unknown filter '{name}'");

    private static FrozenDictionary<string, FilterFunction> BuildRegistry()
    {
        var filters = new Dictionary<string, FilterFunction>(StringComparer.Ordinal)
        {
            ["abs"] = (_, v, a) => NoArgs(a, "abs", Operators.Unary("+", v) switch
            {
                long l => l == long.MinValue ? throw new TemplateError("integer overflow in abs") : Math.Abs(l),
                double d => Math.Abs(d),
                var other => other,
            }),
            ["capitalize"] = (_, v, a) => NoArgs(a, "capitalize", PyString.Capitalize(PyFormat.Str(v))),
            ["center"] = (_, v, a) =>
            {
                a.Check("center", "width");
                return PyString.Center(PyFormat.Str(v), a.GetInt(0, "width", 80, "center"), " ");
            },
            ["default"] = Default,
            ["d"] = Default,
            ["escape"] = Escape,
            ["e"] = Escape,
            ["float"] = (_, v, a) =>
            {
                a.Check("float", "default");
                return ToFloat(v) ?? a.Get(0, "default", 0.0);
            },
            ["format"] = (_, v, a) => PyStringFormat.Percent(PyFormat.Str(v), a.Named.Count > 0 ? NamedToDict(a) : a.Positional.ToArray()),
            ["indent"] = Indent,
            ["int"] = (_, v, a) =>
            {
                a.Check("int", "default", "base");
                return ToInt(v, a.GetInt(1, "base", 10, "int")) ?? a.Get(0, "default", 0L);
            },
            ["lower"] = (_, v, a) => NoArgs(a, "lower", PyFormat.Str(v).ToLowerInvariant()),
            ["upper"] = (_, v, a) => NoArgs(a, "upper", PyFormat.Str(v).ToUpperInvariant()),
            ["title"] = (_, v, a) => NoArgs(a, "title", PyString.JinjaTitle(PyFormat.Str(v))),
            ["trim"] = (_, v, a) =>
            {
                a.Check("trim", "chars");
                return PyString.Strip(PyFormat.Str(v), a.GetOptionalString(0, "chars", "trim"), left: true, right: true);
            },
            ["replace"] = (_, v, a) =>
            {
                a.Check("replace", "old", "new", "count");
                object? count = a.Get(2, "count");
                return PyString.Replace(PyFormat.Str(v), PyFormat.Str(a.Required(0, "old", "replace")), PyFormat.Str(a.Required(1, "new", "replace")),
                    count is null ? -1 : PyValues.ToLong(count));
            },
            ["safe"] = (_, v, a) => NoArgs(a, "safe", v),
            ["string"] = (_, v, a) => NoArgs(a, "string", PyFormat.Str(v)),
            ["tojson"] = ToJson,
            ["round"] = Round,
            ["truncate"] = Truncate,
            ["wordcount"] = (_, v, a) => NoArgs(a, "wordcount", (long)Words().Count(PyFormat.Str(v))),
            ["attr"] = (_, v, a) =>
            {
                a.Check("attr", "name");
                string name = PyFormat.Str(a.Required(0, "name", "attr"));
                return v is JinjaDict dict ? CollectionMethods.TryBindDict(dict, name) ?? (object)Undefined.ForAttribute(dict, name) : MemberAccess.GetAttribute(v, name);
            },
        };
        CollectionFilters.Register(filters);
        return filters.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static object? NoArgs(Arguments a, string name, object? result)
    {
        a.Check(name);
        return result;
    }

    private static object? Default(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("default", "default_value", "boolean");
        bool useOnFalsy = a.GetBool(1, "boolean", false);
        return value is Undefined || (useOnFalsy && !PyValues.IsTruthy(value)) ? a.Get(0, "default_value", "") : value;
    }

    private static object? Escape(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("escape");
        // markupsafe's escaping: only these five characters, quotes as numeric references.
        var sb = new StringBuilder();
        foreach (char c in PyFormat.Str(value))
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&#34;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    private static JinjaDict NamedToDict(Arguments a)
    {
        var dict = new JinjaDict();
        foreach (var (key, value) in a.Named)
            dict[key] = value;
        return dict;
    }

    private static object? ToJson(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("tojson", "indent", "ensure_ascii", "separators", "sort_keys");
        string? indent = a.Get(0, "indent") switch
        {
            null or Undefined => null,
            long n => new string(' ', (int)Math.Clamp(n, 0, 64)),
            string s => s,
            var other => throw new TemplateError($"tojson(): indent must be an integer or string, not {PyValues.TypeName(other)}"),
        };
        string? itemSeparator = null, keySeparator = null;
        if (a.Get(2, "separators") is IReadOnlyList<object?> { Count: 2 } separators)
        {
            itemSeparator = PyFormat.Str(separators[0]);
            keySeparator = PyFormat.Str(separators[1]);
        }
        return PyJson.Dumps(value, indent, a.GetBool(1, "ensure_ascii", false), a.GetBool(3, "sort_keys", false), itemSeparator, keySeparator);
    }

    private static object? Indent(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("indent", "width", "first", "blank");
        string indentation = a.Get(0, "width", 4L) is string w ? w : new string(' ', (int)Math.Max(0, a.GetInt(0, "width", 4, "indent")));
        bool first = a.GetBool(1, "first", false), blank = a.GetBool(2, "blank", false);
        if (value is not string text)
            throw new TemplateError($"indent(): expected a string, not {PyValues.TypeName(value)}");
        // jinja2 appends a newline before splitlines() so a trailing newline survives the re-join.
        List<string> lines = PyString.SplitLines(text + "\n");
        string result = blank
            ? string.Join("\n" + indentation, lines)
            : lines[0] + (lines.Count > 1 ? "\n" + string.Join("\n", lines.Skip(1).Select(l => l.Length > 0 ? indentation + l : l)) : "");
        return first ? indentation + result : result;
    }

    private static object? Round(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("round", "precision", "method");
        long precision = a.GetInt(0, "precision", 0, "round");
        string method = PyFormat.Str(a.Get(1, "method", "common"));
        if (method == "common" && value is long or bool)
            return PyValues.ToLong(value);
        double x = PyValues.ToDouble(value);
        double scale = Math.Pow(10, precision);
        return method switch
        {
            // Python's round() rounds halves to even.
            "common" => Math.Round(x, (int)Math.Clamp(precision, 0, 15), MidpointRounding.ToEven),
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => throw new TemplateError("round(): method must be 'common', 'ceil' or 'floor'"),
        };
    }

    private static object? Truncate(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("truncate", "length", "killwords", "end", "leeway");
        long length = a.GetInt(0, "length", 255, "truncate");
        string end = PyFormat.Str(a.Get(2, "end", "..."));
        long leeway = a.GetInt(3, "leeway", 5, "truncate");
        // Like jinja2: anything short enough (by len()) comes back unchanged; only strings are cut.
        if (PyValues.Length(value) <= length + leeway)
            return value;
        if (value is not string text)
            throw new TemplateError($"truncate(): cannot truncate a {PyValues.TypeName(value)}");
        List<string> s = PyString.CodePoints(text);
        string head = string.Concat(s.Take((int)Math.Max(0, length - PyString.Length(end))));
        if (a.GetBool(1, "killwords", false))
            return head + end;
        int space = head.LastIndexOf(' ');
        return (space >= 0 ? head[..space] : head) + end;
    }

    private static object? ToFloat(object? value) => value switch
    {
        double d => d,
        long or bool => PyValues.ToDouble(value),
        string s when double.TryParse(s.Trim().Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        string s when s.Trim().ToLowerInvariant() is "inf" or "+inf" or "infinity" => double.PositiveInfinity,
        string s when s.Trim().ToLowerInvariant() is "-inf" or "-infinity" => double.NegativeInfinity,
        string s when s.Trim().ToLowerInvariant() is "nan" => double.NaN,
        _ => null,
    };

    private static object? ToInt(object? value, long numberBase)
    {
        switch (value)
        {
            case long or bool:
                return PyValues.ToLong(value);
            case double d when !double.IsNaN(d) && !double.IsInfinity(d):
                return (long)Math.Truncate(d);
            case string s:
                string t = s.Trim().Replace("_", "", StringComparison.Ordinal);
                try
                {
                    if (numberBase == 10 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
                        return l;
                    if (numberBase is 2 or 8 or 16)
                        return Convert.ToInt64(t, (int)numberBase);
                }
                catch (FormatException)
                {
                    return null;
                }
                return ToFloat(t) is double f && !double.IsNaN(f) && !double.IsInfinity(f) ? (long)Math.Truncate(f) : null;
            default:
                return null;
        }
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex Words();
}
