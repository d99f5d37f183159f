namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Python semantics for engine values: truthiness, type names, equality, ordering, iteration, <c>len</c>
/// and <c>in</c>. Engine values are null (None), <see cref="Undefined"/>, bool, long, double, string,
/// <c>List&lt;object?&gt;</c> (list), <c>object?[]</c> (tuple), <see cref="JinjaDict"/>,
/// <see cref="JinjaNamespace"/>, <see cref="LoopContext"/> and <see cref="JinjaCallable"/>.
/// </summary>
internal static class PyValues
{
    public static bool IsTruthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        IReadOnlyList<object?> list => list.Count > 0,
        JinjaDict dict => dict.Count > 0,
        _ => true,
    };

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        Undefined => "Undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        object?[] => "tuple",
        List<object?> => "list",
        JinjaDict => "dict",
        JinjaNamespace => "Namespace",
        LoopContext => "LoopContext",
        MacroFunction => "Macro",
        JinjaCallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>int, float or bool (bool is an int subclass in Python).</summary>
    public static bool IsNumber(object? value) => value is long or double or bool;

    public static bool PyEquals(object? a, object? b)
    {
        if (a is null || b is null)
            return a is null && b is null;
        if (a is Undefined || b is Undefined)
            return a is Undefined && b is Undefined;
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double)
                return ToDouble(a) == ToDouble(b);
            return ToLong(a) == ToLong(b);
        }
        switch (a)
        {
            case string sa:
                return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
            case object?[] ta:
                return b is object?[] tb && SequenceEquals(ta, tb);
            case List<object?> la:
                return b is List<object?> lb && SequenceEquals(la, lb);
            case JinjaDict da:
                if (b is not JinjaDict db || da.Count != db.Count)
                    return false;
                foreach (var (key, value) in da)
                {
                    if (!db.TryGetValue(key, out object? other) || !PyEquals(value, other))
                        return false;
                }
                return true;
            default:
                return ReferenceEquals(a, b);
        }
    }

    private static bool SequenceEquals(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count)
            return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (!PyEquals(a[i], b[i]))
                return false;
        }
        return true;
    }

    /// <summary>Python ordering for <c>&lt;</c>-style operators and sorting; <paramref name="op"/> names the operator in errors.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (a is Undefined ua)
            throw ua.Fail();
        if (b is Undefined ub)
            throw ub.Fail();
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double)
                return ToDouble(a).CompareTo(ToDouble(b));
            return ToLong(a).CompareTo(ToLong(b));
        }
        if (a is string sa && b is string sb)
            return CompareCodePoints(sa, sb);
        if ((a is object?[] && b is object?[]) || (a is List<object?> && b is List<object?>))
        {
            var la = (IReadOnlyList<object?>)a;
            var lb = (IReadOnlyList<object?>)b;
            for (int i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                if (!PyEquals(la[i], lb[i]))
                    return Compare(la[i], lb[i], op);
            }
            return la.Count.CompareTo(lb.Count);
        }
        throw new TemplateError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    /// <summary>Ordinal comparison by code point (UTF-16 order differs for characters above U+FFFF).</summary>
    public static int CompareCodePoints(string a, string b)
    {
        if (!PyString.HasSurrogates(a) && !PyString.HasSurrogates(b))
            return Math.Sign(string.CompareOrdinal(a, b));
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            bool ha = ea.MoveNext(), hb = eb.MoveNext();
            if (!ha || !hb)
                return ha.CompareTo(hb);
            int c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
                return c;
        }
    }

    public static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateError($"expected an integer, got {TypeName(value)}"),
    };

    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateError($"expected a number, got {TypeName(value)}"),
    };

    /// <summary>Materialises an iterable: a string yields its code points, a dict its keys, undefined nothing.</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        IReadOnlyList<object?> list => list,
        string s => PyString.CodePoints(s).ConvertAll(c => (object?)c),
        JinjaDict dict => dict.Keys.ToList<object?>(),
        Undefined => [],
        _ => throw new TemplateError($"'{TypeName(value)}' object is not iterable"),
    };

    public static long Length(object? value) => value switch
    {
        string s => PyString.Length(s),
        IReadOnlyList<object?> list => list.Count,
        JinjaDict dict => dict.Count,
        Undefined => 0,
        JinjaNamespace ns => ns.Attributes.Count,
        _ => throw new TemplateError($"object of type '{TypeName(value)}' has no len()"),
    };

    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string s:
                if (item is not string needle)
                    throw new TemplateError($"'in <string>' requires string as left operand, not {TypeName(item)}");
                return s.Contains(needle, StringComparison.Ordinal);
            case IReadOnlyList<object?> list:
                foreach (object? element in list)
                {
                    if (PyEquals(element, item))
                        return true;
                }
                return false;
            case JinjaDict dict:
                return dict.ContainsKey(item);
            case Undefined:
                return false;
            default:
                throw new TemplateError($"argument of type '{TypeName(container)}' is not iterable");
        }
    }
}
