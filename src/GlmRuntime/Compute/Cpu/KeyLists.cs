namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// The key positions each query attends, resolved once per call from an <see cref="AttentionMask"/>: 0..p_t when
/// dense (slices of one shared ascending run, so a long prefill does not materialize T × S entries), else the
/// selected positions with −1 padding and anything past p_t dropped.
/// </summary>
internal sealed class KeyLists
{
    private readonly int[] _keys;
    private readonly int[] _starts;
    private readonly int[] _counts;

    private KeyLists(int[] keys, int[] starts, int[] counts)
    {
        _keys = keys;
        _starts = starts;
        _counts = counts;
        MaxCount = counts.Length == 0 ? 0 : counts.Max();
    }

    /// <summary>Longest list.</summary>
    public int MaxCount { get; }

    /// <summary>The keys of query <paramref name="query"/>.</summary>
    public ReadOnlySpan<int> For(int query) => _keys.AsSpan(_starts[query], _counts[query]);

    public static KeyLists Build(AttentionMask mask, int cachedCount)
    {
        int tokens = mask.QueryCount;
        var starts = new int[tokens];
        var counts = new int[tokens];
        int maxPosition = 0;
        for (int t = 0; t < tokens; t++)
        {
            int position = mask.QueryPositions[t];
            if ((uint)position >= (uint)cachedCount)
                throw new ArgumentException($"Query {t} sits at position {position}, outside the {cachedCount} cached tokens.", nameof(mask));
            maxPosition = Math.Max(maxPosition, position);
        }

        if (!mask.IsSparse)
        {
            var run = new int[maxPosition + 1];
            for (int s = 0; s < run.Length; s++)
                run[s] = s;
            for (int t = 0; t < tokens; t++)
                counts[t] = mask.QueryPositions[t] + 1;
            return new KeyLists(run, starts, counts);
        }

        int width = mask.SelectedPerQuery;
        var keys = new int[tokens * width];
        for (int t = 0; t < tokens; t++)
        {
            int position = mask.QueryPositions[t];
            starts[t] = t * width;
            foreach (int s in mask.Selected.Slice(t * width, width))
            {
                if (s >= 0 && s <= position)
                    keys[t * width + counts[t]++] = s;
            }
        }
        return new KeyLists(keys, starts, counts);
    }
}
