namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Python <c>dict</c>, <c>list</c> and <c>tuple</c> methods, bound to their receiver. Mutating methods
/// (<c>append</c>, <c>pop</c>, <c>update</c>...) are allowed: templates use them to accumulate state in namespaces.
/// </summary>
internal static class CollectionMethods
{
    public static JinjaCallable? TryBindDict(JinjaDict dict, string name)
    {
        Func<Arguments, object?>? body = name switch
        {
            "items" => a => NoArgs(a, name, dict.Select(kv => (object?)new object?[] { kv.Key, kv.Value }).ToList()),
            "keys" => a => NoArgs(a, name, dict.Keys.ToList<object?>()),
            "values" => a => NoArgs(a, name, dict.Values.ToList()),
            "get" => a =>
            {
                a.Check(name, "key", "default");
                return dict.TryGetValue(a.Required(0, "key", name), out object? v) ? v : a.Get(1, "default");
            },
            "pop" => a =>
            {
                a.Check(name, "key", "default");
                object? key = a.Required(0, "key", name);
                if (key is not null && dict.ContainsKey(key) && dict.Remove(key, out object? removed))
                    return removed;
                return a.TryGet(1, "default", out object? fallback) ? fallback : throw new TemplateError($"KeyError: {PyFormat.Repr(key)}");
            },
            "setdefault" => a =>
            {
                a.Check(name, "key", "default");
                object? key = a.Required(0, "key", name);
                if (dict.TryGetValue(key, out object? existing))
                    return existing;
                object? value = a.Get(1, "default");
                dict[key!] = value;
                return value;
            },
            "update" => a =>
            {
                if (a.Positional.Count > 1)
                    throw new TemplateError("update expected at most 1 argument");
                if (a.Positional.Count == 1)
                {
                    if (a.Positional[0] is not JinjaDict other)
                        throw new TemplateError($"update(): expected a dict, not {PyValues.TypeName(a.Positional[0])}");
                    foreach (var (key, value) in other.ToList())
                        dict[key] = value;
                }
                foreach (var (key, value) in a.Named)
                    dict[key] = value;
                return null;
            },
            "copy" => a => NoArgs(a, name, dict.Copy()),
            "clear" => a =>
            {
                a.Check(name);
                dict.Clear();
                return null;
            },
            _ => null,
        };
        return body is null ? null : new BuiltinFunction($"dict.{name}", (_, args) => body(args));
    }

    public static JinjaCallable? TryBindList(IReadOnlyList<object?> sequence, string name)
    {
        Func<Arguments, object?>? body = name switch
        {
            "index" => a =>
            {
                object? item = a.Required(0, "value", name);
                for (int i = 0; i < sequence.Count; i++)
                {
                    if (PyValues.PyEquals(sequence[i], item))
                        return (long)i;
                }
                throw new TemplateError($"{PyFormat.Repr(item)} is not in {PyValues.TypeName(sequence)}");
            },
            "count" => a => (long)sequence.Count(x => PyValues.PyEquals(x, a.Required(0, "value", name))),
            _ => null,
        };
        if (body is null && sequence is List<object?> list)
            body = BindListMutator(list, name);
        return body is null ? null : new BuiltinFunction($"{PyValues.TypeName(sequence)}.{name}", (_, args) => body(args));
    }

    private static Func<Arguments, object?>? BindListMutator(List<object?> list, string name) => name switch
    {
        "append" => a =>
        {
            a.Check(name, "object");
            list.Add(a.Required(0, "object", name));
            return null;
        },
        "extend" => a =>
        {
            a.Check(name, "iterable");
            list.AddRange(PyValues.Iterate(a.Required(0, "iterable", name)).ToList());
            return null;
        },
        "insert" => a =>
        {
            a.Check(name, "index", "object");
            long index = a.GetInt(0, "index", 0, name);
            if (index < 0)
                index = Math.Max(0, index + list.Count);
            list.Insert((int)Math.Min(index, list.Count), a.Required(1, "object", name));
            return null;
        },
        "pop" => a =>
        {
            a.Check(name, "index");
            long index = a.GetInt(0, "index", -1, name);
            if (index < 0)
                index += list.Count;
            if (index < 0 || index >= list.Count)
                throw new TemplateError(list.Count == 0 ? "pop from empty list" : "pop index out of range");
            object? item = list[(int)index];
            list.RemoveAt((int)index);
            return item;
        },
        "remove" => a =>
        {
            object? item = a.Required(0, "value", name);
            int at = list.FindIndex(x => PyValues.PyEquals(x, item));
            if (at < 0)
                throw new TemplateError("list.remove(x): x not in list");
            list.RemoveAt(at);
            return null;
        },
        "reverse" => a =>
        {
            a.Check(name);
            list.Reverse();
            return null;
        },
        "clear" => a =>
        {
            a.Check(name);
            list.Clear();
            return null;
        },
        "copy" => a => NoArgs(a, name, new List<object?>(list)),
        _ => null,
    };

    private static object? NoArgs(Arguments a, string name, object? result)
    {
        a.Check(name);
        return result;
    }
}
