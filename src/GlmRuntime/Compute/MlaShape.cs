namespace GlmRuntime.Compute;

/// <summary>
/// The per-layer dimensions an MLA kernel needs (MODEL.md §3.4): n_h heads, q/k split into d_n (no RoPE) and
/// d_r (RoPE, one key head shared by all), values of d_v, a cached latent of r_kv, and the softmax scale τ.
/// </summary>
internal readonly record struct MlaShape(int Heads, int NopeDim, int RopeDim, int ValueDim, int KvRank, float Scale)
{
    /// <summary>d_n + d_r: one head of q (and of an expanded key).</summary>
    public int QkHeadDim => NopeDim + RopeDim;

    /// <summary>r_kv + d_r: one cached token ([c_kv | k_rope]) and one absorbed query head ([q̃ | q_rope]).</summary>
    public int LatentDim => KvRank + RopeDim;

    /// <summary>d_n + d_v: the rows of kv_b_proj per head ([k_nope | v]).</summary>
    public int KvBRowsPerHead => NopeDim + ValueDim;
}
