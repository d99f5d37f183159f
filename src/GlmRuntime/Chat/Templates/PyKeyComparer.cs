namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Dictionary key equality with Python semantics: <c>1</c>, <c>1.0</c> and <c>True</c> are the same key,
/// tuples compare by content.
/// </summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static PyKeyComparer Instance { get; } = new();

    public new bool Equals(object? x, object? y) => PyValues.PyEquals(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        string s => StringComparer.Ordinal.GetHashCode(s),
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        object?[] tuple => tuple.Aggregate(17, (h, item) => unchecked(h * 31 + (item is null ? 0 : GetHashCode(item)))),
        _ => obj.GetHashCode(),
    };
}
