using GlmRuntime.Weights;

namespace GlmRuntime.Compute;

/// <summary>
/// The operations the model calls. Activations are float32, row-major, one row per token; weights stay in their
/// stored format (BF16, FP8 block, MXFP4) and are decoded inside the kernels. The managed
/// <see cref="Cpu.CpuBackend"/> is the reference; the GPU backend implements the same contract.
/// </summary>
internal interface IComputeBackend
{
    /// <summary>Human-readable name ("cpu (16 threads, AVX-512)").</summary>
    string Name { get; }

    /// <summary>y[t, :] = embedding row tokens[t]. <paramref name="destination"/> is [T, d].</summary>
    void Embed(LinearWeight table, ReadOnlySpan<int> tokens, Span<float> destination);

    /// <summary>y = x · Wᵀ: x is [rows, K], y is [rows, N] (N = out features).</summary>
    void MatMul(LinearWeight weight, ReadOnlySpan<float> input, int rows, Span<float> output);

    /// <summary>RMSNorm of each row of width w.Length; <paramref name="output"/> may alias <paramref name="input"/>.</summary>
    void RmsNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float epsilon, Span<float> output);

    /// <summary>LayerNorm (γ, β) of each row of width γ.Length; output may alias input.</summary>
    void LayerNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> output);

    /// <summary>
    /// Rotates, in place, the table's d_r values at <paramref name="offset"/> of each head:
    /// <paramref name="data"/> is [rows, heads, headStride] and row t sits at positions[t].
    /// </summary>
    void ApplyRope(Span<float> data, int heads, int headStride, int offset, ReadOnlySpan<int> positions, RotaryTable table);

    /// <summary>dst = SiLU(gate) ⊙ up, elementwise.</summary>
    void SiluMul(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> destination);

    /// <summary>
    /// Absorbed query: for each head, [q̃ | q_rope] with q̃ = W^UKᵀ q_nope. q is [T, H, d_n + d_r]; the result is
    /// [T, H, r_kv + d_r]; <paramref name="kvB"/> is kv_b_proj [H·(d_n + d_v), r_kv].
    /// </summary>
    void MlaAbsorbQuery(LinearWeight kvB, MlaShape shape, ReadOnlySpan<float> query, Span<float> absorbed);

    /// <summary>Values from the attended latent: o_h = W^UV_h õ_h. õ is [T, H, r_kv], o is [T, H, d_v].</summary>
    void MlaExpandValues(LinearWeight kvB, MlaShape shape, ReadOnlySpan<float> latentOutput, Span<float> output);

    /// <summary>
    /// Absorbed (MQA) attention: scores τ·[q̃ | q_rope]·[c_kv | k_rope] over the cache [S, r_kv + d_r], softmax over
    /// the mask, output Σ P·c_kv as [T, H, r_kv].
    /// </summary>
    void MlaAttentionAbsorbed(MlaShape shape, ReadOnlySpan<float> absorbedQuery, ReadOnlySpan<float> latentCache, AttentionMask mask, Span<float> latentOutput);

    /// <summary>
    /// Expanded (MHA) attention: q [T, H, d_n + d_r] against keys [k_nope | k_rope] where kv [S, H, d_n + d_v]
    /// is c_kv·W_kvbᵀ and k_rope is the cache's tail [S, r_kv + d_r]; output [T, H, d_v].
    /// </summary>
    void MlaAttentionExpanded(MlaShape shape, ReadOnlySpan<float> query, ReadOnlySpan<float> expandedKv, ReadOnlySpan<float> latentCache, AttentionMask mask, Span<float> output);

    /// <summary>
    /// Lightning-indexer selection (MODEL.md §3.5): I(t, s) = Σ_j w[t, j]·ReLU(q[t, j]·k[s]) for s ≤ positions[t];
    /// writes the top min(k, positions[t] + 1) key positions of each query, ascending, padded with −1, into
    /// <paramref name="selected"/> [T, k]. q is [T, H_I, D_I], w is [T, H_I] (scales folded in), keys [S, D_I].
    /// </summary>
    void IndexerTopK(ReadOnlySpan<float> query, ReadOnlySpan<float> headWeights, ReadOnlySpan<float> keys, int heads, int headDim,
        ReadOnlySpan<int> positions, int topK, Span<int> selected);

    /// <summary>
    /// Expert choice per token from router logits [T, E]: <paramref name="experts"/> and <paramref name="weights"/>
    /// are [T, k_E], sorted by expert id.
    /// </summary>
    void Route(ReadOnlySpan<float> routerLogits, ReadOnlySpan<float> correctionBias, RoutingSettings settings, Span<int> experts, Span<float> weights);

    /// <summary>
    /// y[t] = Σ_k weights[t, k]·Expert_{experts[t, k]}(x[t]) with SwiGLU experts. x and y are [T, d]; y is overwritten.
    /// </summary>
    void MoeExperts(IReadOnlyList<MlpWeights> experts, ReadOnlySpan<float> input, ReadOnlySpan<int> chosen, ReadOnlySpan<float> weights,
        int expertsPerToken, Span<float> output);

    /// <summary>Draws the next token from one row of logits [V].</summary>
    int Sample(ReadOnlySpan<float> logits, SamplingParams sampling, Random random);
}
