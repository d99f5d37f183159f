namespace GlmRuntime.Kv;

/// <summary>
/// A contiguous, growable <see cref="IKvLayerCache"/> in float32 for one sequence outside the engine (the CLI's
/// logits command, tests): the rows of the latent and the indexer keys in position order.
/// </summary>
internal sealed class LayerKvCache(int latentDim, int indexKeyDim, int maxTokens) : IKvLayerCache
{
    private float[] _latent = [];
    private float[] _indexKeys = [];

    /// <summary>r_kv + d_r.</summary>
    public int LatentDim { get; } = latentDim;

    /// <summary>D_I, or 0 when the layer has no indexer of its own.</summary>
    public int IndexKeyDim { get; } = indexKeyDim;

    /// <summary>Most tokens this cache will hold.</summary>
    public int MaxTokens { get; } = maxTokens;

    /// <summary>Tokens cached (= the next position).</summary>
    public int Count { get; private set; }

    /// <summary>[Count, r_kv + d_r].</summary>
    public ReadOnlySpan<float> Latent => _latent.AsSpan(0, Count * LatentDim);

    /// <summary>[Count, D_I].</summary>
    public ReadOnlySpan<float> IndexKeys => _indexKeys.AsSpan(0, Count * IndexKeyDim);

    /// <summary>Appends rows for positions Count..Count+T−1: latent [T, r_kv + d_r], index keys [T, D_I] (empty when none).</summary>
    /// <exception cref="InvalidOperationException">The sequence would exceed <see cref="MaxTokens"/>.</exception>
    public void Append(ReadOnlySpan<float> latentRows, ReadOnlySpan<float> indexKeyRows)
    {
        int tokens = latentRows.Length / LatentDim;
        if (latentRows.Length != tokens * LatentDim || indexKeyRows.Length != tokens * IndexKeyDim)
            throw new ArgumentException($"Cache rows must be [T, {LatentDim}] and [T, {IndexKeyDim}]; got {latentRows.Length} and {indexKeyRows.Length} values.");
        if (Count + tokens > MaxTokens)
            throw new InvalidOperationException($"The sequence would reach {Count + tokens} tokens; the limit is {MaxTokens}.");
        Grow(ref _latent, (Count + tokens) * LatentDim);
        Grow(ref _indexKeys, (Count + tokens) * IndexKeyDim);
        latentRows.CopyTo(_latent.AsSpan(Count * LatentDim));
        indexKeyRows.CopyTo(_indexKeys.AsSpan(Count * IndexKeyDim));
        Count += tokens;
    }

    /// <summary>Drops every token from position <paramref name="count"/> on (rollback of rejected drafts).</summary>
    public void Truncate(int count)
    {
        if ((uint)count > (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The cache holds {Count} tokens.");
        Count = count;
    }

    private static void Grow(ref float[] buffer, int needed)
    {
        if (buffer.Length >= needed)
            return;
        Array.Resize(ref buffer, Math.Max(needed, Math.Max(16, buffer.Length * 2)));
    }
}
