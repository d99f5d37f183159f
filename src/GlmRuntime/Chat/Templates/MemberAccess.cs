namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Attribute access (<c>x.name</c>), subscripts (<c>x[key]</c>) and slices with jinja2's lookup order:
/// <c>x.name</c> tries the Python attribute (a method such as <c>dict.items</c>) before the item, while
/// <c>x['name']</c> tries the item first. A failed lookup yields <see cref="Undefined"/>, never an error.
/// </summary>
internal static class MemberAccess
{
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case Undefined u:
                return u;
            case JinjaDict dict:
                if (CollectionMethods.TryBindDict(dict, name) is { } dictMethod)
                    return dictMethod;
                return dict.TryGetValue(name, out object? value) ? value : Undefined.ForAttribute(dict, name);
            case string s:
                return StringMethods.TryBind(s, name) ?? (object)Undefined.ForAttribute(s, name);
            case IReadOnlyList<object?> list:
                return CollectionMethods.TryBindList(list, name) ?? (object)Undefined.ForAttribute(list, name);
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out object? attr) ? attr : Undefined.ForAttribute(ns, name);
            case LoopContext loop:
                return loop.GetAttribute(name);
            default:
                return Undefined.ForAttribute(target, name);
        }
    }

    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case Undefined u:
                return u;
            case JinjaDict dict:
                if (dict.TryGetValue(key, out object? value))
                    return value;
                return key is string name && CollectionMethods.TryBindDict(dict, name) is { } method ? method : MissingKey(dict, key);
            case IReadOnlyList<object?> list when key is long or bool:
                long index = PyValues.ToLong(key);
                if (index < 0)
                    index += list.Count;
                return index >= 0 && index < list.Count ? list[(int)index] : new Undefined($"{PyValues.TypeName(list)} object has no element {PyFormat.Str(key)}");
            case string s when key is long or bool:
                List<string> cps = PyString.CodePoints(s);
                long i = PyValues.ToLong(key);
                if (i < 0)
                    i += cps.Count;
                return i >= 0 && i < cps.Count ? cps[(int)i] : new Undefined($"str object has no element {PyFormat.Str(key)}");
            default:
                return key is string attribute ? GetAttribute(target, attribute) : MissingKey(target, key);
        }
    }

    private static Undefined MissingKey(object? target, object? key) => key is string name
        ? Undefined.ForAttribute(target, name)
        : new Undefined($"{PyValues.TypeName(target)} object has no element {PyFormat.Repr(key)}");

    /// <summary>
    /// <c>target[start:stop:step]</c> on lists, tuples and strings (by code point). Unlike item access this is
    /// strict, as in jinja2, whose compiled slices bypass its forgiving <c>getitem</c>.
    /// </summary>
    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        long stepValue = SliceBound(step, "step") ?? 1;
        if (stepValue == 0)
            throw new TemplateError("slice step cannot be zero");
        switch (target)
        {
            case List<object?> list:
                return SliceIndices(list.Count, start, stop, stepValue).Select(i => list[i]).ToList();
            case object?[] tuple:
                return SliceIndices(tuple.Length, start, stop, stepValue).Select(i => tuple[i]).ToArray();
            case string s:
                List<string> cps = PyString.CodePoints(s);
                return string.Concat(SliceIndices(cps.Count, start, stop, stepValue).Select(i => cps[i]));
            case Undefined u:
                throw u.Fail();
            case JinjaDict:
                throw new TemplateError("unhashable type: 'slice'");
            default:
                throw new TemplateError($"'{PyValues.TypeName(target)}' object is not subscriptable");
        }
    }

    private static long? SliceBound(object? value, string what) => value switch
    {
        null or Undefined => null,
        long or bool => PyValues.ToLong(value),
        _ => throw new TemplateError($"slice {what} must be an integer or None, not {PyValues.TypeName(value)}"),
    };

    /// <summary>The indices Python's <c>slice.indices(length)</c> visits.</summary>
    private static IEnumerable<int> SliceIndices(int length, object? startValue, object? stopValue, long step)
    {
        long lower = step > 0 ? 0 : -1;
        long upper = step > 0 ? length : length - 1;
        long start = Clamp(SliceBound(startValue, "start"), step > 0 ? lower : upper);
        long stop = Clamp(SliceBound(stopValue, "stop"), step > 0 ? upper : lower);

        long Clamp(long? bound, long fallback)
        {
            if (bound is not long b)
                return fallback;
            if (b < 0)
                return Math.Max(b + length, lower);
            return Math.Min(b, upper);
        }

        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
            yield return (int)i;
    }
}
