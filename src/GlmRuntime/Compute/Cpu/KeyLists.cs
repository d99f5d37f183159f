namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// The key positions each query attends, flattened once per call from an <see cref="AttentionMask"/>: all of
/// 0..p_t when dense, else the selected positions (−1 padding and anything past p_t dropped), ascending.
/// </summary>
internal sealed class KeyLists
{
    private readonly int[] _keys;
    private readonly int[] _starts;

    private KeyLists(int[] keys, int[] starts, int maxCount)
    {
        _keys = keys;
        _starts = starts;
        MaxCount = maxCount;
    }

    /// <summary>Longest list.</summary>
    public int MaxCount { get; }

    /// <summary>The keys of query <paramref name="query"/>.</summary>
    public ReadOnlySpan<int> For(int query) => _keys.AsSpan(_starts[query], _starts[query + 1] - _starts[query]);

    public static KeyLists Build(AttentionMask mask, int cachedCount)
    {
        int tokens = mask.QueryCount;
        var starts = new int[tokens + 1];
        var keys = new List<int>();
        int max = 0;
        for (int t = 0; t < tokens; t++)
        {
            int position = mask.QueryPositions[t];
            if ((uint)position >= (uint)cachedCount)
                throw new ArgumentException($"Query {t} sits at position {position}, outside the {cachedCount} cached tokens.", nameof(mask));
            starts[t] = keys.Count;
            if (mask.IsSparse)
            {
                foreach (int s in mask.Selected.Slice(t * mask.SelectedPerQuery, mask.SelectedPerQuery))
                {
                    if (s >= 0 && s <= position)
                        keys.Add(s);
                }
            }
            else
            {
                for (int s = 0; s <= position; s++)
                    keys.Add(s);
            }
            max = Math.Max(max, keys.Count - starts[t]);
        }
        starts[tokens] = keys.Count;
        return new KeyLists(keys.ToArray(), starts, max);
    }
}
