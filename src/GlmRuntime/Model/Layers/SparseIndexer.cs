using GlmRuntime.Compute;
using GlmRuntime.Configuration;
using GlmRuntime.Kv;
using GlmRuntime.Weights;

namespace GlmRuntime.Model.Layers;

/// <summary>
/// The DSA lightning indexer of one layer (MODEL.md §3.5): its own query (from the MLA's normed q latent) and
/// key (LayerNorm with bias, ε 1e-6), RoPE on the FIRST d_r dims of each (the MLA puts its rope slice last),
/// per-head ReLU, signed per-head weights, and the causal top-min(k, t+1) keys that MLA may attend.
/// </summary>
internal sealed class SparseIndexer
{
    private const float KeyNormEpsilon = 1e-6f;
    private readonly IndexerWeights _weights;
    private readonly RotaryTable _rope;
    private readonly int _heads;
    private readonly int _headDim;
    private readonly int _topK;
    private readonly float _weightScale;

    public SparseIndexer(IndexerWeights weights, GlmConfig config)
    {
        _weights = weights;
        _heads = config.IndexNHeads;
        _headDim = config.IndexHeadDim;
        _topK = config.IndexTopK;
        // GLM-5 rotates the indexer interleaved; DeepSeek-V3.2 half-split (indexer_rope_interleave false).
        _rope = RotaryTable.Create(config.Rope, config.QkRopeHeadDim, config.IndexerRopeInterleave);
        _weightScale = (float)(1.0 / Math.Sqrt(_heads) / Math.Sqrt(_headDim));
    }

    /// <summary>D_I: the width of one cached indexer key.</summary>
    public int KeyDim => _headDim;

    /// <summary>The rotary table (tests swap conventions through the config).</summary>
    public RotaryTable Rope => _rope;

    /// <summary>The batch's keys [T, D_I] (after LayerNorm and RoPE) from the normed layer input a [T, d], for the caches.</summary>
    public void ComputeKeys(StepContext context, ReadOnlySpan<float> normed, Span<float> keys)
    {
        var backend = context.Backend;
        backend.MatMul(_weights.Wk, normed, context.TokenCount, keys);                                        // [T, D_I]
        backend.LayerNorm(keys, _weights.KNormWeight.Values, _weights.KNormBias.Values, KeyNormEpsilon, keys);
        backend.ApplyRope(keys, 1, _headDim, 0, context.Positions, _rope);
    }

    /// <summary>
    /// The batch's indexer queries [T, H_I, D_I] from c_q [T, r_q] (the MLA's q latent after q_a_layernorm) and head
    /// weights [T, H_I] from the normed input a [T, d], into the workspace for <see cref="Select"/>.
    /// </summary>
    public void ComputeQueries(StepContext context, ReadOnlySpan<float> normed, ReadOnlySpan<float> queryLatent)
    {
        var backend = context.Backend;
        int tokens = context.TokenCount;
        var query = context.Workspace.Get(ForwardWorkspace.Slot.IndexerQuery, tokens * _heads * _headDim);    // [T, H_I, D_I]
        backend.MatMul(_weights.WqB, queryLatent, tokens, query);
        backend.ApplyRope(query, _heads, _headDim, 0, context.Positions, _rope);

        var headWeights = context.Workspace.Get(ForwardWorkspace.Slot.IndexerWeights, tokens * _heads);       // [T, H_I]
        backend.MatMul(_weights.WeightsProj, normed, tokens, headWeights);
        System.Numerics.Tensors.TensorPrimitives.Multiply(headWeights, _weightScale, headWeights);
    }

    /// <summary>
    /// Selects, for each query of <paramref name="segment"/>, the keys of its <paramref name="cache"/> that MLA attends
    /// ([t, k], ascending, −1 padded), from the queries <see cref="ComputeQueries"/> left in the workspace.
    /// </summary>
    public (int[] Selected, int PerQuery) Select(StepContext context, BatchSegment segment, IKvLayerCache cache)
    {
        int tokens = context.TokenCount, rows = segment.Count;
        var query = context.Workspace.Get(ForwardWorkspace.Slot.IndexerQuery, tokens * _heads * _headDim)
            .Slice(segment.Offset * _heads * _headDim, rows * _heads * _headDim);                               // [t, H_I, D_I]
        var headWeights = context.Workspace.Get(ForwardWorkspace.Slot.IndexerWeights, tokens * _heads)
            .Slice(segment.Offset * _heads, rows * _heads);                                                     // [t, H_I]
        int perQuery = Math.Min(_topK, cache.Count);
        var selected = new int[rows * perQuery];                                                                // [t, k]
        context.Backend.IndexerTopK(query, headWeights, cache.IndexKeys, _heads, _headDim,
            context.Positions.AsSpan(segment.Offset, rows), perQuery, selected);
        return (selected, perQuery);
    }
}
