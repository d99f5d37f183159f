namespace GlmRuntime.Kv;

/// <summary>
/// One layer's cache for one sequence as the attention reads it (MODEL.md §3.4, §3.5 step 7): the MLA latent
/// [c_kv after kv_a_layernorm | k_rope after RoPE] and the indexer's keys, indexed by absolute position.
/// <see cref="LayerKvCache"/> keeps them contiguous (single-sequence tools and tests); <see cref="PagedLayerCache"/>
/// keeps them in the engine's pages.
/// </summary>
internal interface IKvLayerCache
{
    /// <summary>r_kv + d_r.</summary>
    int LatentDim { get; }

    /// <summary>D_I, or 0 when the layer has no indexer of its own.</summary>
    int IndexKeyDim { get; }

    /// <summary>Tokens cached (= the next position).</summary>
    int Count { get; }

    /// <summary>[Count, r_kv + d_r] as float32 (valid until the next read of any cache of the same store).</summary>
    ReadOnlySpan<float> Latent { get; }

    /// <summary>[Count, D_I] as float32 (valid until the next read of any cache of the same store).</summary>
    ReadOnlySpan<float> IndexKeys { get; }

    /// <summary>Appends rows for positions Count..Count+T−1: latent [T, r_kv + d_r], index keys [T, D_I] (empty when none).</summary>
    /// <exception cref="InvalidOperationException">The cache has no room for the rows.</exception>
    void Append(ReadOnlySpan<float> latentRows, ReadOnlySpan<float> indexKeyRows);

    /// <summary>Drops every token from position <paramref name="count"/> on.</summary>
    void Truncate(int count);
}
