using System.Buffers;
using System.Numerics.Tensors;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// MLA attention over one sequence's latent cache (MODEL.md §3.4), in its two equivalent forms. The kv_b_proj
/// products take <see cref="HeadProjections"/> on the SIMD paths; the row-by-row bodies here are the reference. Work is split
/// over (query, head) pairs; each pair walks only the keys its mask allows, so the sparse form costs k, not S.
/// </summary>
internal static class MlaKernels
{
    /// <summary>[q̃_h | q_rope_h] per token and head, q̃_h = W^UK_hᵀ q_nope_h.</summary>
    public static void AbsorbQuery(CpuParallel parallel, LinearWeight kvB, MlaShape s, ReadOnlySpan<float> query, Span<float> absorbed)
    {
        int tokens = query.Length / (s.Heads * s.QkHeadDim);
        CheckLength(absorbed, tokens * s.Heads * s.LatentDim, nameof(absorbed));
        unsafe
        {
            fixed (float* q = query)
            fixed (float* a = absorbed)
            {
                if (HeadProjections.TryAbsorbQuery(parallel, kvB, s, q, tokens, a))
                    return;
                float* qp = q, ap = a;
                parallel.For(s.Heads, (long)tokens * s.NopeDim * s.KvRank, (start, end) =>
                {
                    float[] row = ArrayPool<float>.Shared.Rent(s.KvRank);
                    try
                    {
                        var qs = new ReadOnlySpan<float>(qp, tokens * s.Heads * s.QkHeadDim);
                        var aspan = new Span<float>(ap, tokens * s.Heads * s.LatentDim);
                        for (int h = start; h < end; h++)
                        {
                            MatMulKernel.MultiplyTransposed(kvB, h * s.KvBRowsPerHead, s.NopeDim,
                                qs[(h * s.QkHeadDim)..], s.Heads * s.QkHeadDim, tokens,
                                aspan[(h * s.LatentDim)..], s.Heads * s.LatentDim, row);
                            for (int t = 0; t < tokens; t++)
                            {
                                qs.Slice((t * s.Heads + h) * s.QkHeadDim + s.NopeDim, s.RopeDim)
                                  .CopyTo(aspan.Slice((t * s.Heads + h) * s.LatentDim + s.KvRank, s.RopeDim));
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(row);
                    }
                });
            }
        }
    }

    /// <summary>o_h = W^UV_h õ_h for every token and head.</summary>
    public static void ExpandValues(CpuParallel parallel, LinearWeight kvB, MlaShape s, ReadOnlySpan<float> latentOutput, Span<float> output)
    {
        int tokens = latentOutput.Length / (s.Heads * s.KvRank);
        CheckLength(output, tokens * s.Heads * s.ValueDim, nameof(output));
        unsafe
        {
            fixed (float* l = latentOutput)
            fixed (float* o = output)
            {
                if (HeadProjections.TryExpandValues(parallel, kvB, s, l, tokens, o))
                    return;
                float* lp = l, op = o;
                parallel.For(s.Heads, (long)tokens * s.ValueDim * s.KvRank, (start, end) =>
                {
                    float[] row = ArrayPool<float>.Shared.Rent(s.KvRank);
                    try
                    {
                        var w = row.AsSpan(0, s.KvRank);
                        for (int h = start; h < end; h++)
                        {
                            for (int v = 0; v < s.ValueDim; v++)
                            {
                                kvB.DequantizeRow(h * s.KvBRowsPerHead + s.NopeDim + v, w);
                                for (int t = 0; t < tokens; t++)
                                {
                                    var latent = new ReadOnlySpan<float>(lp + (long)(t * s.Heads + h) * s.KvRank, s.KvRank);
                                    op[(long)(t * s.Heads + h) * s.ValueDim + v] = TensorPrimitives.Dot(latent, w);
                                }
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(row);
                    }
                });
            }
        }
    }

    /// <summary>MQA over the latent: keys [c_kv | k_rope], values c_kv.</summary>
    public static void AttentionAbsorbed(CpuParallel parallel, MlaShape s, ReadOnlySpan<float> absorbedQuery, ReadOnlySpan<float> latentCache,
        AttentionMask mask, Span<float> latentOutput)
    {
        int tokens = mask.QueryCount;
        int cached = latentCache.Length / s.LatentDim;
        CheckLength(absorbedQuery, tokens * s.Heads * s.LatentDim, nameof(absorbedQuery));
        CheckLength(latentOutput, tokens * s.Heads * s.KvRank, nameof(latentOutput));
        var keys = KeyLists.Build(mask, cached);
        unsafe
        {
            fixed (float* q = absorbedQuery)
            fixed (float* c = latentCache)
            fixed (float* o = latentOutput)
            {
                float* qp = q, cp = c, op = o;
                parallel.For(tokens * s.Heads, (long)keys.MaxCount * s.LatentDim * 2, (start, end) =>
                {
                    float[] scores = ArrayPool<float>.Shared.Rent(Math.Max(1, keys.MaxCount));
                    try
                    {
                        for (int pair = start; pair < end; pair++)
                        {
                            int t = pair / s.Heads;
                            var qh = new ReadOnlySpan<float>(qp + (long)pair * s.LatentDim, s.LatentDim);
                            var list = keys.For(t);
                            var p = scores.AsSpan(0, list.Length);
                            for (int j = 0; j < list.Length; j++)
                                p[j] = s.Scale * TensorPrimitives.Dot(qh, new ReadOnlySpan<float>(cp + (long)list[j] * s.LatentDim, s.LatentDim));
                            Softmax(p);
                            var y = new Span<float>(op + (long)pair * s.KvRank, s.KvRank);
                            y.Clear();
                            for (int j = 0; j < list.Length; j++)
                                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(cp + (long)list[j] * s.LatentDim, s.KvRank), p[j], y, y);
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(scores);
                    }
                });
            }
        }
    }

    /// <summary>MHA with per-head expanded keys [k_nope | k_rope] and values v.</summary>
    public static void AttentionExpanded(CpuParallel parallel, MlaShape s, ReadOnlySpan<float> query, ReadOnlySpan<float> expandedKv,
        ReadOnlySpan<float> latentCache, AttentionMask mask, Span<float> output)
    {
        int tokens = mask.QueryCount;
        int cached = latentCache.Length / s.LatentDim;
        CheckLength(query, tokens * s.Heads * s.QkHeadDim, nameof(query));
        CheckLength(expandedKv, cached * s.Heads * s.KvBRowsPerHead, nameof(expandedKv));
        CheckLength(output, tokens * s.Heads * s.ValueDim, nameof(output));
        var keys = KeyLists.Build(mask, cached);
        unsafe
        {
            fixed (float* q = query)
            fixed (float* kv = expandedKv)
            fixed (float* c = latentCache)
            fixed (float* o = output)
            {
                float* qp = q, kvp = kv, cp = c, op = o;
                parallel.For(tokens * s.Heads, (long)keys.MaxCount * (s.QkHeadDim + s.ValueDim), (start, end) =>
                {
                    float[] scores = ArrayPool<float>.Shared.Rent(Math.Max(1, keys.MaxCount));
                    try
                    {
                        for (int pair = start; pair < end; pair++)
                        {
                            int t = pair / s.Heads, h = pair % s.Heads;
                            var qNope = new ReadOnlySpan<float>(qp + (long)pair * s.QkHeadDim, s.NopeDim);
                            var qRope = new ReadOnlySpan<float>(qp + (long)pair * s.QkHeadDim + s.NopeDim, s.RopeDim);
                            var list = keys.For(t);
                            var p = scores.AsSpan(0, list.Length);
                            for (int j = 0; j < list.Length; j++)
                            {
                                long kvRow = ((long)list[j] * s.Heads + h) * s.KvBRowsPerHead;
                                float dot = TensorPrimitives.Dot(qNope, new ReadOnlySpan<float>(kvp + kvRow, s.NopeDim))
                                          + TensorPrimitives.Dot(qRope, new ReadOnlySpan<float>(cp + (long)list[j] * s.LatentDim + s.KvRank, s.RopeDim));
                                p[j] = s.Scale * dot;
                            }
                            Softmax(p);
                            var y = new Span<float>(op + (long)pair * s.ValueDim, s.ValueDim);
                            y.Clear();
                            for (int j = 0; j < list.Length; j++)
                            {
                                long kvRow = ((long)list[j] * s.Heads + h) * s.KvBRowsPerHead;
                                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(kvp + kvRow + s.NopeDim, s.ValueDim), p[j], y, y);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(scores);
                    }
                });
            }
        }
    }

    /// <summary>In-place softmax in float32 with max subtraction.</summary>
    internal static void Softmax(Span<float> values)
    {
        if (values.IsEmpty)
            return;
        float max = TensorPrimitives.Max(values);
        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp(values, values);
        TensorPrimitives.Multiply(values, 1f / TensorPrimitives.Sum(values), values);
    }

    private static void CheckLength(ReadOnlySpan<float> span, int expected, string name)
    {
        if (span.Length < expected)
            throw new ArgumentException($"{name} holds {span.Length} values; {expected} expected.", name);
    }
}
