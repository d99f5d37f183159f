namespace GlmRuntime.Chat.Templates;

/// <summary>Sequence filters: length, first/last, join, map/select families, sort/unique, aggregates.</summary>
internal static class CollectionFilters
{
    public static void Register(Dictionary<string, Filters.FilterFunction> filters)
    {
        filters["length"] = (_, v, a) => NoArgs(a, "length", PyValues.Length(v));
        filters["count"] = (_, v, a) => NoArgs(a, "count", PyValues.Length(v));
        filters["first"] = (_, v, a) =>
        {
            a.Check("first");
            IReadOnlyList<object?> items = PyValues.Iterate(v);
            return items.Count > 0 ? items[0] : new Undefined("No first item, sequence was empty.");
        };
        filters["last"] = (_, v, a) =>
        {
            a.Check("last");
            IReadOnlyList<object?> items = PyValues.Iterate(v);
            return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
        };
        filters["list"] = (_, v, a) => NoArgs(a, "list", PyValues.Iterate(v).ToList());
        filters["reverse"] = (_, v, a) => NoArgs(a, "reverse", v is string s
            ? string.Concat(PyString.CodePoints(s).AsEnumerable().Reverse())
            : PyValues.Iterate(v).Reverse().ToList());
        filters["items"] = (_, v, a) => NoArgs(a, "items", v switch
        {
            JinjaDict dict => dict.Select(kv => (object?)new object?[] { kv.Key, kv.Value }).ToList(),
            Undefined => new List<object?>(),
            _ => throw new TemplateError($"items(): can only get item pairs from a mapping, not {PyValues.TypeName(v)}"),
        });
        filters["join"] = (_, v, a) =>
        {
            a.Check("join", "d", "attribute");
            string separator = PyFormat.Str(a.Get(0, "d", ""));
            string? attribute = a.GetOptionalString(1, "attribute", "join");
            return string.Join(separator, PyValues.Iterate(v).Select(item => PyFormat.Str(attribute is null ? item : GetPath(item, attribute))));
        };
        filters["map"] = Map;
        filters["select"] = (ev, v, a) => Select(ev, v, a, attribute: false, keep: true);
        filters["reject"] = (ev, v, a) => Select(ev, v, a, attribute: false, keep: false);
        filters["selectattr"] = (ev, v, a) => Select(ev, v, a, attribute: true, keep: true);
        filters["rejectattr"] = (ev, v, a) => Select(ev, v, a, attribute: true, keep: false);
        filters["unique"] = Unique;
        filters["sort"] = Sort;
        filters["dictsort"] = DictSort;
        filters["min"] = (_, v, a) => Extreme(v, a, "min", sign: -1);
        filters["max"] = (_, v, a) => Extreme(v, a, "max", sign: 1);
        filters["sum"] = (ev, v, a) =>
        {
            a.Check("sum", "attribute", "start");
            string? attribute = a.GetOptionalString(0, "attribute", "sum");
            object? total = a.Get(1, "start", 0L);
            foreach (object? item in PyValues.Iterate(v))
                total = Operators.Binary("+", total, attribute is null ? item : GetPath(item, attribute), ev.Limits.MaxOutputChars);
            return total;
        };
        filters["batch"] = (_, v, a) =>
        {
            a.Check("batch", "linecount", "fill_with");
            long size = a.GetInt(0, "linecount", 1, "batch");
            if (size <= 0)
                throw new TemplateError("batch(): linecount must be positive");
            bool fill = a.TryGet(1, "fill_with", out object? filler) && filler is not null;
            var batches = PyValues.Iterate(v).Chunk((int)Math.Min(size, int.MaxValue)).Select(chunk =>
            {
                var row = chunk.ToList();
                while (fill && row.Count < size)
                    row.Add(filler);
                return (object?)row;
            });
            return batches.ToList();
        };
    }

    private static object? NoArgs(Arguments a, string name, object? result)
    {
        a.Check(name);
        return result;
    }

    /// <summary>jinja2's attribute getter: dotted path, integer parts index sequences, items before attributes.</summary>
    public static object? GetPath(object? item, string path)
    {
        foreach (string part in path.Split('.'))
            item = MemberAccess.GetItem(item, part.Length > 0 && part.All(char.IsAsciiDigit) ? long.Parse(part, System.Globalization.CultureInfo.InvariantCulture) : part);
        return item;
    }

    private static object? Map(ExpressionEvaluator evaluator, object? value, Arguments a)
    {
        // jinja2 guards with `if value:`, so a falsy non-iterable (0, None) maps to nothing.
        IReadOnlyList<object?> items = PyValues.IsTruthy(value) ? PyValues.Iterate(value) : [];
        if (a.Positional.Count == 0)
        {
            a.Check("map", "attribute", "default");
            string attribute = a.GetOptionalString(-1, "attribute", "map") ?? throw new TemplateError("map() needs a filter name or attribute=");
            bool hasDefault = a.TryGet(-1, "default", out object? fallback);
            return items.Select(item => GetPath(item, attribute) is Undefined && hasDefault ? fallback : GetPath(item, attribute)).ToList();
        }
        string filter = a.Positional[0] as string ?? throw new TemplateError("map(): the filter name must be a string");
        var rest = new Arguments(a.Positional.Skip(1).ToList(), a.Named);
        return items.Select(item => Filters.Apply(evaluator, filter, item, rest)).ToList();
    }

    private static object? Select(ExpressionEvaluator evaluator, object? value, Arguments a, bool attribute, bool keep)
    {
        int next = 0;
        string? path = null;
        if (attribute)
            path = a.Positional.Count > 0 ? a.Positional[next++] as string : null;
        if (attribute && path is null)
            throw new TemplateError("selectattr()/rejectattr() need an attribute name");
        string? test = next < a.Positional.Count ? a.Positional[next++] as string ?? throw new TemplateError("the test name must be a string") : null;
        if (test is not null && !TemplateTests.Exists(test))
            throw new TemplateError($"unknown test '{test}'");
        object?[] testArgs = a.Positional.Skip(next).ToArray();
        IReadOnlyList<object?> items = PyValues.IsTruthy(value) ? PyValues.Iterate(value) : [];
        return items.Where(item =>
        {
            object? subject = path is null ? item : GetPath(item, path);
            bool passed = test is null ? PyValues.IsTruthy(subject) : TemplateTests.Apply(test, subject, testArgs);
            return passed == keep;
        }).ToList();
    }

    /// <summary>
    /// jinja2's key getters. With <paramref name="multi"/> (sort), the key is a list of the comma-separated
    /// attributes, so equal undefined keys compare equal instead of failing, exactly as in jinja2.
    /// </summary>
    private static Func<object?, object?> KeyFunction(string? attribute, bool caseSensitive, bool multi = false)
    {
        string[] paths = attribute?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        object? Fold(object? v) => !caseSensitive && v is string s ? s.ToLowerInvariant() : v;
        if (paths.Length == 0)
            return Fold;
        if (multi)
            return item => paths.Select(p => Fold(GetPath(item, p))).ToList();
        return item => Fold(GetPath(item, paths[0]));
    }

    private static readonly Comparer<object?> PyComparer = Comparer<object?>.Create((x, y) => PyValues.Compare(x, y));

    /// <summary>Stable sort (LINQ ordering is stable both ways, like Python's sorted(reverse=...)).</summary>
    private static List<T> StableSort<T>(IEnumerable<T> items, Func<T, object?> key, bool descending)
    {
        try
        {
            return (descending ? items.OrderByDescending(key, PyComparer) : items.OrderBy(key, PyComparer)).ToList();
        }
        catch (InvalidOperationException e) when (e.InnerException is TemplateError inner)
        {
            // The sort wraps comparer failures; surface the Python-style TypeError itself.
            throw inner;
        }
    }

    private static object? Sort(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("sort", "reverse", "case_sensitive", "attribute");
        var key = KeyFunction(a.GetOptionalString(2, "attribute", "sort"), a.GetBool(1, "case_sensitive", false), multi: true);
        return StableSort(PyValues.Iterate(value), key, a.GetBool(0, "reverse", false));
    }

    private static object? Unique(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("unique", "case_sensitive", "attribute");
        var key = KeyFunction(a.GetOptionalString(1, "attribute", "unique"), a.GetBool(0, "case_sensitive", false));
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (object? item in PyValues.Iterate(value))
        {
            object? k = key(item);
            if (!seen.Any(s => PyValues.PyEquals(s, k)))
            {
                seen.Add(k);
                result.Add(item);
            }
        }
        return result;
    }

    private static object? DictSort(ExpressionEvaluator _, object? value, Arguments a)
    {
        a.Check("dictsort", "case_sensitive", "by", "reverse");
        if (value is not JinjaDict dict)
            throw new TemplateError($"dictsort(): expected a dict, not {PyValues.TypeName(value)}");
        int position = PyFormat.Str(a.Get(1, "by", "key")) switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new TemplateError("dictsort(): 'by' must be 'key' or 'value'"),
        };
        var fold = KeyFunction(null, a.GetBool(0, "case_sensitive", false));
        var pairs = dict.Select(kv => (object?)new object?[] { kv.Key, kv.Value });
        return StableSort(pairs, pair => fold(((object?[])pair!)[position]), a.GetBool(2, "reverse", false));
    }

    private static object? Extreme(object? value, Arguments a, string name, int sign)
    {
        a.Check(name, "case_sensitive", "attribute");
        var key = KeyFunction(a.GetOptionalString(1, "attribute", name), a.GetBool(0, "case_sensitive", false));
        IReadOnlyList<object?> items = PyValues.Iterate(value);
        if (items.Count == 0)
            return new Undefined($"No aggregated item, sequence was empty.");
        object? best = items[0];
        foreach (object? item in items.Skip(1))
        {
            if (PyValues.Compare(key(item), key(best)) * sign > 0)
                best = item;
        }
        return best;
    }
}
