namespace GlmRuntime.Compute;

/// <summary>
/// Which cached keys each query may attend (MODEL.md §3.6): keys at positions ≤ the query's position, and, when
/// <see cref="SelectedPerQuery"/> &gt; 0, only the DSA indexer's choice for that query (a row of key positions,
/// padded with −1). The same mask holds for every head.
/// </summary>
internal readonly ref struct AttentionMask
{
    /// <summary>A causal mask over the whole cache.</summary>
    public AttentionMask(ReadOnlySpan<int> queryPositions)
    {
        QueryPositions = queryPositions;
        Selected = default;
        SelectedPerQuery = 0;
    }

    /// <summary>A causal mask narrowed to the indexer's selection: <paramref name="selected"/> is [T, perQuery].</summary>
    public AttentionMask(ReadOnlySpan<int> queryPositions, ReadOnlySpan<int> selected, int perQuery)
    {
        if (perQuery <= 0 || selected.Length != queryPositions.Length * perQuery)
            throw new ArgumentException($"Selection has {selected.Length} entries; expected {queryPositions.Length} queries × {perQuery}.", nameof(selected));
        QueryPositions = queryPositions;
        Selected = selected;
        SelectedPerQuery = perQuery;
    }

    /// <summary>[T] absolute position of each query.</summary>
    public ReadOnlySpan<int> QueryPositions { get; }

    /// <summary>[T, SelectedPerQuery] selected key positions (−1 = none), or empty for dense causal attention.</summary>
    public ReadOnlySpan<int> Selected { get; }

    /// <summary>Width of a selection row; 0 means dense causal attention.</summary>
    public int SelectedPerQuery { get; }

    /// <summary>Queries covered.</summary>
    public int QueryCount => QueryPositions.Length;

    /// <summary>True when the indexer's selection applies.</summary>
    public bool IsSparse => SelectedPerQuery > 0;
}
