using System.Collections;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// A Python dict: insertion-ordered (tojson, items() and iteration depend on it) with Python key equality.
/// Keys are strings, numbers, booleans or tuples; None is not a supported key.
/// </summary>
internal sealed class JinjaDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly OrderedDictionary<object, object?> _items = new(PyKeyComparer.Instance);

    public int Count => _items.Count;

    public IEnumerable<object> Keys => _items.Keys;

    public IEnumerable<object?> Values => _items.Values;

    public object? this[object key]
    {
        set => _items[CheckKey(key)] = value;
    }

    public bool TryGetValue(object? key, out object? value)
    {
        value = null;
        return key is not null && IsHashable(key) && _items.TryGetValue(key, out value);
    }

    public bool ContainsKey(object? key) => key is not null && IsHashable(key) && _items.ContainsKey(key);

    public bool Remove(object key, out object? value) => _items.Remove(key, out value);

    public void Clear() => _items.Clear();

    public JinjaDict Copy()
    {
        var copy = new JinjaDict();
        foreach (var (key, value) in _items)
            copy._items[key] = value;
        return copy;
    }

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static object CheckKey(object? key)
    {
        if (key is null)
            throw new TemplateError("None is not supported as a dict key");
        if (!IsHashable(key))
            throw new TemplateError($"unhashable type: '{PyValues.TypeName(key)}'");
        return key;
    }

    private static bool IsHashable(object key) =>
        key is string or long or double or bool || (key is object?[] tuple && tuple.All(i => i is null || IsHashable(i)));
}
