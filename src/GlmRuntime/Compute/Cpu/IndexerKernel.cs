using System.Buffers;
using System.Numerics.Tensors;

namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// The lightning indexer's scores and causal top-k (MODEL.md §3.5 steps 4–6). Ties break toward the earlier key,
/// so the choice is deterministic; the golden prompts keep every selection gap ≥ 1e-3, far from any tie.
/// </summary>
internal static class IndexerKernel
{
    public static void TopK(CpuParallel parallel, ReadOnlySpan<float> query, ReadOnlySpan<float> headWeights, ReadOnlySpan<float> keys,
        int heads, int headDim, ReadOnlySpan<int> positions, int topK, Span<int> selected)
    {
        int tokens = positions.Length;
        int cached = keys.Length / headDim;
        if (query.Length < tokens * heads * headDim || headWeights.Length < tokens * heads)
            throw new ArgumentException($"Indexer inputs do not cover {tokens} queries of {heads} × {headDim}.", nameof(query));
        if (selected.Length < tokens * topK)
            throw new ArgumentException($"Selection holds {selected.Length} entries; {tokens} × {topK} expected.", nameof(selected));
        // Keys transposed to [D_I, S] so each query head scores a run of keys with vector multiply-adds over S
        // (one short dot product per key and head would be dominated by call overhead when D_I is small).
        float[] transposed = ArrayPool<float>.Shared.Rent(Math.Max(1, cached * headDim));
        try
        {
            for (int s = 0; s < cached; s++)
                for (int d = 0; d < headDim; d++)
                    transposed[d * cached + s] = keys[s * headDim + d];
            unsafe
            {
                fixed (float* q = query)
                fixed (float* w = headWeights)
                fixed (int* sel = selected)
                fixed (int* pos = positions)
                {
                    float* qp = q, wp = w;
                    int* selp = sel, posp = pos;
                    parallel.For(tokens, (long)cached * heads * headDim / 2, (start, end) =>
                    {
                        float[] scores = ArrayPool<float>.Shared.Rent(Math.Max(1, cached));
                        float[] headScores = ArrayPool<float>.Shared.Rent(Math.Max(1, cached));
                        int[] order = ArrayPool<int>.Shared.Rent(Math.Max(1, cached));
                        try
                        {
                            for (int t = start; t < end; t++)
                            {
                                int position = posp[t];
                                if ((uint)position >= (uint)cached)
                                    throw new ArgumentException($"Query {t} sits at position {position}, outside the {cached} indexed keys.", nameof(positions));
                                var row = new Span<int>(selp + (long)t * topK, topK);
                                row.Fill(-1);
                                int candidates = position + 1;
                                if (candidates <= topK)
                                {
                                    for (int s = 0; s < candidates; s++)
                                        row[s] = s;
                                    continue;
                                }
                                // I(t, s) = Σ_j w[t, j]·ReLU(q[t, j]·k[s]) for the keys s ≤ position.
                                var score = scores.AsSpan(0, candidates);
                                var head = headScores.AsSpan(0, candidates);
                                score.Clear();
                                for (int j = 0; j < heads; j++)
                                {
                                    float* qj = qp + ((long)t * heads + j) * headDim;
                                    head.Clear();
                                    for (int d = 0; d < headDim; d++)
                                        TensorPrimitives.MultiplyAdd(transposed.AsSpan(d * cached, candidates), qj[d], head, head);
                                    TensorPrimitives.Max(head, 0f, head);
                                    TensorPrimitives.MultiplyAdd(head, wp[(long)t * heads + j], score, score);
                                }
                                SelectTop(score, order.AsSpan(0, candidates), row);
                            }
                        }
                        finally
                        {
                            ArrayPool<float>.Shared.Return(scores);
                            ArrayPool<float>.Shared.Return(headScores);
                            ArrayPool<int>.Shared.Return(order);
                        }
                    });
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(transposed);
        }
    }

    /// <summary>
    /// Writes the indices of the <paramref name="destination"/>.Length largest scores, ascending by index: a min-heap
    /// of k candidates (O(S log k)), where "smaller" means a lower score or, on a tie, a later index.
    /// </summary>
    internal static void SelectTop(ReadOnlySpan<float> scores, Span<int> scratch, Span<int> destination)
    {
        int k = destination.Length;
        var heap = scratch[..k];
        for (int i = 0; i < k; i++)
        {
            heap[i] = i;
            SiftUp(heap, i, scores);
        }
        for (int i = k; i < scores.Length; i++)
        {
            if (Worse(heap[0], i, scores))
            {
                heap[0] = i;
                SiftDown(heap, scores);
            }
        }
        heap.CopyTo(destination);
        destination.Sort();
    }

    /// <summary>True when candidate <paramref name="a"/> ranks below <paramref name="b"/>.</summary>
    private static bool Worse(int a, int b, ReadOnlySpan<float> scores) =>
        scores[a] < scores[b] || (scores[a] == scores[b] && a > b);

    private static void SiftUp(Span<int> heap, int i, ReadOnlySpan<float> scores)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Worse(heap[i], heap[parent], scores))
                break;
            (heap[i], heap[parent]) = (heap[parent], heap[i]);
            i = parent;
        }
    }

    private static void SiftDown(Span<int> heap, ReadOnlySpan<float> scores)
    {
        int i = 0;
        while (true)
        {
            int left = 2 * i + 1, right = left + 1, worst = i;
            if (left < heap.Length && Worse(heap[left], heap[worst], scores))
                worst = left;
            if (right < heap.Length && Worse(heap[right], heap[worst], scores))
                worst = right;
            if (worst == i)
                return;
            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
