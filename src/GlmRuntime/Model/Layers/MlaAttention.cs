using GlmRuntime.Compute;
using GlmRuntime.Configuration;
using GlmRuntime.Kv;
using GlmRuntime.Weights;

namespace GlmRuntime.Model.Layers;

/// <summary>
/// Multi-head latent attention with DeepSeek Sparse Attention (MODEL.md §3.4–3.6). Caches only the latent
/// [c_kv | k_rope] (k_rope after RoPE) per token; attends either in the expanded form (per-head keys and values
/// rebuilt from the latent) or the absorbed form (W^UK folded into the query, W^UV applied after), both with
/// τ = (d_n + d_r)^−½, over the keys the indexer selected. Projections run over the whole batch; cache appends,
/// selection and attention run per sequence segment.
/// </summary>
internal sealed class MlaAttention
{
    private readonly AttentionWeights _w;
    private readonly RmsNorm _qNorm;
    private readonly RmsNorm _kvNorm;
    private readonly RotaryTable _rope;
    private readonly MlaShape _shape;
    private readonly int _queryRank;

    public MlaAttention(AttentionWeights weights, GlmConfig config)
    {
        _w = weights;
        // q_a/kv_a layernorms use rms_norm_eps as vLLM and sglang do (HF's default 1e-6 is the outlier).
        _qNorm = new RmsNorm(weights.QANorm, config.RmsNormEps);
        _kvNorm = new RmsNorm(weights.KvANorm, config.RmsNormEps);
        _rope = RotaryTable.Create(config.Rope, config.QkRopeHeadDim, config.RopeInterleave);
        _shape = new MlaShape(config.NumAttentionHeads, config.QkNopeHeadDim, config.QkRopeHeadDim, config.VHeadDim,
            config.KvLoraRank, (float)config.SoftmaxScale);
        _queryRank = config.QLoraRank;
        Indexer = weights.Indexer is { } ix ? new SparseIndexer(ix, config) : null;
    }

    /// <summary>This layer's own indexer, or null on a GLM-5.2 layer that shares the previous one's selection.</summary>
    public SparseIndexer? Indexer { get; }

    public MlaShape Shape => _shape;

    /// <summary>Attention of the batch's normed inputs [T, d] into <paramref name="output"/> [T, d]; appends every segment to its cache.</summary>
    public void Forward(StepContext context, int layerIndex, ReadOnlySpan<float> normed, Span<float> output)
    {
        var backend = context.Backend;
        var ws = context.Workspace;
        var s = _shape;
        int tokens = context.TokenCount;

        // Query path: c_q = RMSNorm(a·W_qaᵀ), q = c_q·W_qbᵀ, RoPE on the last d_r of each head.
        var queryLatent = ws.Get(ForwardWorkspace.Slot.QueryLatent, tokens * _queryRank);         // [T, r_q]
        backend.MatMul(_w.QAProj, normed, tokens, queryLatent);
        _qNorm.Apply(context, queryLatent, queryLatent);
        var query = ws.Get(ForwardWorkspace.Slot.Query, tokens * s.Heads * s.QkHeadDim);           // [T, H, d_n + d_r]
        backend.MatMul(_w.QBProj, queryLatent, tokens, query);
        backend.ApplyRope(query, s.Heads, s.QkHeadDim, s.NopeDim, context.Positions, _rope);

        // KV path: [c_kv | k_rope] = a·W_kvaᵀ; c_kv normed, k_rope rotated, both cached.
        var latent = ws.Get(ForwardWorkspace.Slot.KvLatent, tokens * s.LatentDim);                // [T, r_kv + d_r]
        backend.MatMul(_w.KvAProj, normed, tokens, latent);
        for (int t = 0; t < tokens; t++)
        {
            var row = latent.Slice(t * s.LatentDim, s.KvRank);
            _kvNorm.Apply(context, row, row);
        }
        backend.ApplyRope(latent, 1, s.LatentDim, s.KvRank, context.Positions, _rope);

        int keyDim = Indexer?.KeyDim ?? 0;
        var indexKeys = ws.Get(ForwardWorkspace.Slot.IndexerKey, tokens * keyDim);                // [T, D_I]
        Indexer?.ComputeKeys(context, normed, indexKeys);
        Indexer?.ComputeQueries(context, normed, queryLatent);

        var heads = ws.Get(ForwardWorkspace.Slot.HeadOut, tokens * s.Heads * s.ValueDim);          // [T, H, d_v]
        int absorbedRows = 0;
        var expandedRowCounts = new int[context.Segments.Count];
        for (int i = 0; i < context.Segments.Count; i++)
        {
            var segment = context.Segments[i];
            var cache = segment.Sequence.CacheFor(layerIndex);
            int first = context.Positions[segment.Offset];
            if (first != cache.Count)
                throw new InvalidOperationException($"Layer {layerIndex}: a chunk starts at position {first}, its cache holds {cache.Count} tokens.");
            cache.Append(latent.Slice(segment.Offset * s.LatentDim, segment.Count * s.LatentDim),
                indexKeys.Slice(segment.Offset * keyDim, segment.Count * keyDim));
            Select(context, layerIndex, segment, cache);
            int expandedRows = expandedRowCounts[i] = segment.ExpandedRowCount(context.Positions);
            if (expandedRows > 0)
                AttendExpanded(context, segment, expandedRows, query, cache.Latent, heads);
            absorbedRows += segment.Count - expandedRows;
        }
        if (absorbedRows > 0)
            AttendAbsorbed(context, layerIndex, absorbedRows, expandedRowCounts, query, heads);
        backend.MatMul(_w.OProj, heads, tokens, output);                                           // [T, d]
    }

    /// <summary>The segment's indexer selection (or the shared one of a GLM-5.2 layer), kept on the segment.</summary>
    private void Select(StepContext context, int layerIndex, BatchSegment segment, IKvLayerCache cache)
    {
        if (Indexer is null)
            return;
        var (selected, perQuery) = Indexer.Select(context, segment, cache);                        // [t, k]
        segment.SharedSelection = selected;
        segment.SharedSelectionWidth = perQuery;
        context.Trace?.Selections.Add(layerIndex, (selected, perQuery));
    }

    /// <summary>The first <paramref name="rows"/> rows of a segment in the expanded form over its cache [S, r_kv + d_r].</summary>
    private void AttendExpanded(StepContext context, BatchSegment segment, int rows, Span<float> query, ReadOnlySpan<float> latent, Span<float> heads)
    {
        var backend = context.Backend;
        var ws = context.Workspace;
        var s = _shape;
        int cached = latent.Length / s.LatentDim;
        var compact = ws.Get(ForwardWorkspace.Slot.LatentCopy, cached * s.KvRank);                      // [S, r_kv]
        for (int j = 0; j < cached; j++)
            latent.Slice(j * s.LatentDim, s.KvRank).CopyTo(compact.Slice(j * s.KvRank, s.KvRank));
        var expanded = ws.Get(ForwardWorkspace.Slot.ExpandedKv, cached * s.Heads * s.KvBRowsPerHead);  // [S, H, d_n + d_v]
        backend.MatMul(_w.KvBProj, compact, cached, expanded);
        var rowQuery = query.Slice(segment.Offset * s.Heads * s.QkHeadDim, rows * s.Heads * s.QkHeadDim);  // [t, H, d_n + d_r]
        var rowHeads = heads.Slice(segment.Offset * s.Heads * s.ValueDim, rows * s.Heads * s.ValueDim);     // [t, H, d_v]
        backend.MlaAttentionExpanded(s, rowQuery, expanded, latent, Mask(context, segment, 0, rows), rowHeads);
    }

    /// <summary>
    /// Every segment's absorbed rows (decode tokens) together: W^UK folds into all their queries in one pass and
    /// W^UV expands all their outputs in one pass; only the attention itself runs per sequence over its cache.
    /// </summary>
    private void AttendAbsorbed(StepContext context, int layerIndex, int rows, int[] expandedRowCounts, Span<float> query, Span<float> heads)
    {
        var backend = context.Backend;
        var ws = context.Workspace;
        var s = _shape;
        int queryWidth = s.Heads * s.QkHeadDim, headWidth = s.Heads * s.ValueDim;
        var gathered = ws.Get(ForwardWorkspace.Slot.AbsorbedInput, rows * queryWidth);             // [A, H, d_n + d_r]
        int a = 0;
        for (int i = 0; i < context.Segments.Count; i++)
        {
            var segment = context.Segments[i];
            int from = expandedRowCounts[i], count = segment.Count - from;
            query.Slice((segment.Offset + from) * queryWidth, count * queryWidth).CopyTo(gathered.Slice(a * queryWidth));
            a += count;
        }
        var absorbed = ws.Get(ForwardWorkspace.Slot.AbsorbedQuery, rows * s.Heads * s.LatentDim);  // [A, H, r_kv + d_r]
        backend.MlaAbsorbQuery(_w.KvBProj, s, gathered, absorbed);
        var latentOut = ws.Get(ForwardWorkspace.Slot.LatentOut, rows * s.Heads * s.KvRank);        // [A, H, r_kv]
        a = 0;
        for (int i = 0; i < context.Segments.Count; i++)
        {
            var segment = context.Segments[i];
            int from = expandedRowCounts[i], count = segment.Count - from;
            if (count == 0)
                continue;
            var cache = segment.Sequence.CacheFor(layerIndex);
            backend.MlaAttentionAbsorbed(s, absorbed.Slice(a * s.Heads * s.LatentDim, count * s.Heads * s.LatentDim), cache.Latent,
                Mask(context, segment, from, count), latentOut.Slice(a * s.Heads * s.KvRank, count * s.Heads * s.KvRank));
            a += count;
        }
        var values = ws.Get(ForwardWorkspace.Slot.AbsorbedHeads, rows * headWidth);                 // [A, H, d_v]
        backend.MlaExpandValues(_w.KvBProj, s, latentOut, values);
        a = 0;
        for (int i = 0; i < context.Segments.Count; i++)
        {
            var segment = context.Segments[i];
            int from = expandedRowCounts[i], count = segment.Count - from;
            values.Slice(a * headWidth, count * headWidth).CopyTo(heads.Slice((segment.Offset + from) * headWidth));
            a += count;
        }
    }

    /// <summary>The mask of segment rows from..from+count−1: causal, narrowed to the segment's selection when there is one.</summary>
    private static AttentionMask Mask(StepContext context, BatchSegment segment, int from, int count)
    {
        var positions = context.Positions.AsSpan(segment.Offset + from, count);
        if (segment.SharedSelection is not { } selected)
            return new AttentionMask(positions);
        int width = segment.SharedSelectionWidth;
        return new AttentionMask(positions, selected.AsSpan(from * width, count * width), width);
    }
}
