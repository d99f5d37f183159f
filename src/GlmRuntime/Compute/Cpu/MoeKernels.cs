using System.Buffers;
using System.Numerics.Tensors;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu;

/// <summary>Router (noaux_tc, MODEL.md §3.8) and SwiGLU expert application grouped by expert.</summary>
internal static class MoeKernels
{
    public static void Route(ReadOnlySpan<float> routerLogits, ReadOnlySpan<float> correctionBias, RoutingSettings r, Span<int> experts, Span<float> weights)
    {
        int e = r.ExpertCount, k = r.ExpertsPerToken;
        int tokens = routerLogits.Length / e;
        if (experts.Length < tokens * k || weights.Length < tokens * k)
            throw new ArgumentException($"Routing outputs must hold {tokens} × {k} entries.", nameof(experts));
        if (!correctionBias.IsEmpty && correctionBias.Length != e)
            throw new ArgumentException($"Correction bias has {correctionBias.Length} values; the router has {e} experts.", nameof(correctionBias));
        Span<float> scores = e <= 1024 ? stackalloc float[e] : new float[e];
        Span<float> choice = e <= 1024 ? stackalloc float[e] : new float[e];
        Span<int> picked = stackalloc int[k];
        int perGroup = e / r.GroupCount;
        for (int t = 0; t < tokens; t++)
        {
            var logits = routerLogits.Slice(t * e, e);
            if (r.SoftmaxScoring)
            {
                logits.CopyTo(scores);
                MlaKernels.Softmax(scores);
            }
            else
            {
                TensorPrimitives.Sigmoid(logits, scores);
            }
            // The bias steers which experts are chosen; the weights below use the unbiased scores.
            if (correctionBias.IsEmpty)
                scores.CopyTo(choice);
            else
                TensorPrimitives.Add(scores, correctionBias, choice);
            if (r.GroupCount > 1)
                MaskGroups(choice, r.GroupCount, perGroup, r.GroupsKept);
            TopIndices(choice, picked);
            picked.Sort();
            float sum = 0;
            for (int i = 0; i < k; i++)
                sum += scores[picked[i]];
            for (int i = 0; i < k; i++)
            {
                float g = scores[picked[i]];
                if (r.NormalizeTopK)
                    g /= sum + 1e-20f;
                experts[t * k + i] = picked[i];
                weights[t * k + i] = g * r.ScalingFactor;
            }
        }
    }

    /// <summary>Keeps the groups with the largest top-2 sums; the others drop to −∞ (choice scores can be negative).</summary>
    private static void MaskGroups(Span<float> choice, int groups, int perGroup, int kept)
    {
        Span<float> groupScores = stackalloc float[groups];
        for (int g = 0; g < groups; g++)
        {
            var members = choice.Slice(g * perGroup, perGroup);
            float best = float.NegativeInfinity, second = float.NegativeInfinity;
            foreach (float v in members)
            {
                if (v > best) { second = best; best = v; }
                else if (v > second) second = v;
            }
            groupScores[g] = perGroup > 1 ? best + second : best;
        }
        Span<int> keep = stackalloc int[kept];
        TopIndices(groupScores, keep);
        for (int g = 0; g < groups; g++)
        {
            if (!keep.Contains(g))
                choice.Slice(g * perGroup, perGroup).Fill(float.NegativeInfinity);
        }
    }

    /// <summary>Indices of the destination.Length largest values, ties to the lower index.</summary>
    private static void TopIndices(ReadOnlySpan<float> values, Span<int> destination)
    {
        int count = 0;
        for (int i = 0; i < values.Length; i++)
        {
            // Insertion into a short sorted list: k is 8 for GLM-5, far below E.
            int at = count;
            while (at > 0 && values[i] > values[destination[at - 1]])
                at--;
            if (at >= destination.Length)
                continue;
            int last = Math.Min(count, destination.Length - 1);
            for (int j = last; j > at; j--)
                destination[j] = destination[j - 1];
            destination[at] = i;
            count = Math.Min(count + 1, destination.Length);
        }
    }

    public static void Experts(CpuParallel parallel, IReadOnlyList<MlpWeights> experts, ReadOnlySpan<float> input, ReadOnlySpan<int> chosen,
        ReadOnlySpan<float> weights, int expertsPerToken, Span<float> output)
    {
        if (!GroupedMoeStep.TryRun(parallel, experts, input, chosen, weights, expertsPerToken, output))
            ExpertsOneByOne(parallel, experts, input, chosen, weights, expertsPerToken, output);
    }

    /// <summary>The general path: per active expert, three matmuls over its gathered tokens (any weight format).</summary>
    internal static void ExpertsOneByOne(CpuParallel parallel, IReadOnlyList<MlpWeights> experts, ReadOnlySpan<float> input, ReadOnlySpan<int> chosen,
        ReadOnlySpan<float> weights, int expertsPerToken, Span<float> output)
    {
        int tokens = chosen.Length / expertsPerToken;
        int d = input.Length / Math.Max(1, tokens);
        output[..(tokens * d)].Clear();
        // Group (token, weight) pairs by expert so each expert's weights are decoded once per call.
        var byExpert = ExpertAssignments.Group(chosen, weights, expertsPerToken, experts.Count);
        for (int e = 0; e < experts.Count; e++)
        {
            if (byExpert[e] is not { } assigned)
                continue;
            int n = assigned.Count;
            var mlp = experts[e];
            int width = mlp.Gate.OutFeatures;
            float[] rented = ArrayPool<float>.Shared.Rent(n * d * 2 + n * width * 2);
            try
            {
                var x = rented.AsSpan(0, n * d);
                var down = rented.AsSpan(n * d, n * d);
                var gate = rented.AsSpan(2 * n * d, n * width);
                var up = rented.AsSpan(2 * n * d + n * width, n * width);
                for (int i = 0; i < n; i++)
                    input.Slice(assigned[i].Token * d, d).CopyTo(x.Slice(i * d, d));
                MatMulKernel.Multiply(parallel, mlp.Gate, x, n, gate);
                MatMulKernel.Multiply(parallel, mlp.Up, x, n, up);
                SwiGlu(gate, up, gate);
                MatMulKernel.Multiply(parallel, mlp.Down, gate, n, down);
                for (int i = 0; i < n; i++)
                {
                    var y = output.Slice(assigned[i].Token * d, d);
                    TensorPrimitives.MultiplyAdd(down.Slice(i * d, d), assigned[i].Weight, y, y);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>dst = SiLU(gate) ⊙ up, SiLU(z) = z·σ(z).</summary>
    public static void SwiGlu(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> destination)
    {
        if (up.Length != gate.Length || destination.Length < gate.Length)
            throw new ArgumentException($"SwiGLU operands differ in length ({gate.Length}, {up.Length}, {destination.Length}).", nameof(up));
        for (int i = 0; i < gate.Length; i++)
        {
            float z = gate[i];
            destination[i] = z / (1f + MathF.Exp(-z)) * up[i];
        }
    }
}
