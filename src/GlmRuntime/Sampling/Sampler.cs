using System.Buffers;
using System.Numerics.Tensors;

namespace GlmRuntime.Sampling;

/// <summary>
/// Picks a token from one row of logits with vLLM's semantics: temperature 0 is argmax (ties to the lowest id);
/// otherwise logits / temperature, then top-k, top-p (smallest set reaching the mass) and min-p filters on the
/// resulting distribution, then one draw from the request's own random stream.
/// </summary>
/// <remarks>
/// Only top-p needs the whole vocabulary in probability order. Top-k takes a partial selection of k candidates
/// (a heap, O(V log k)); with neither, the draw walks the ids in order, which is the same distribution without a
/// sort. Candidate order is always larger probability first, ties to the lower id.
/// </remarks>
internal static class Sampler
{
    /// <summary>Draws one token id from <paramref name="logits"/> [V] with <paramref name="random"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty.</exception>
    public static int Sample(ReadOnlySpan<float> logits, SamplingParams sampling, Random random)
    {
        if (logits.IsEmpty)
            throw new ArgumentException("No logits to sample from.", nameof(logits));
        if (IsArgmax(sampling))
            return TensorPrimitives.IndexOfMax(logits);

        int vocab = logits.Length;
        float[] probabilities = ArrayPool<float>.Shared.Rent(vocab);
        int[] order = ArrayPool<int>.Shared.Rent(vocab);
        try
        {
            var p = probabilities.AsSpan(0, vocab);
            int kept = Filter(logits, sampling, p, order);
            return kept < 0 ? DrawInIdOrder(p, sampling.MinP, random) : DrawInOrder(p, order.AsSpan(0, kept), random);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(probabilities);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    /// <summary>
    /// Writes the distribution <see cref="Sample"/> draws from into <paramref name="destination"/> [V]: the
    /// candidates' probabilities renormalized to sum to 1 and zero elsewhere (one-hot at the argmax when greedy).
    /// Speculative verification accepts a draft with exactly this probability.
    /// </summary>
    /// <exception cref="ArgumentException">The rows are empty or of different lengths.</exception>
    public static void Distribution(ReadOnlySpan<float> logits, SamplingParams sampling, Span<float> destination)
    {
        if (logits.IsEmpty || destination.Length != logits.Length)
            throw new ArgumentException($"Need a non-empty logit row and a destination of the same length; got {logits.Length} and {destination.Length}.", nameof(destination));
        if (IsArgmax(sampling))
        {
            destination.Clear();
            destination[TensorPrimitives.IndexOfMax(logits)] = 1f;
            return;
        }
        int vocab = logits.Length;
        int[] order = ArrayPool<int>.Shared.Rent(vocab);
        try
        {
            int kept = Filter(logits, sampling, destination, order);
            if (kept < 0)
            {
                float floor = sampling.MinP > 0 ? (float)(sampling.MinP * TensorPrimitives.Max(destination)) : 0f;
                for (int id = 0; id < vocab; id++)
                {
                    if (destination[id] < floor)
                        destination[id] = 0f;
                }
            }
            else
            {
                float[] keptProbabilities = ArrayPool<float>.Shared.Rent(kept);
                for (int i = 0; i < kept; i++)
                    keptProbabilities[i] = destination[order[i]];
                destination.Clear();
                for (int i = 0; i < kept; i++)
                    destination[order[i]] = keptProbabilities[i];
                ArrayPool<float>.Shared.Return(keptProbabilities);
            }
            TensorPrimitives.Multiply(destination, 1f / TensorPrimitives.Sum(destination), destination);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
        }
    }

    /// <summary>One draw from a distribution [V] whose entries need not sum to 1, walking ids in order; −1 when all are zero.</summary>
    public static int DrawFromDistribution(ReadOnlySpan<float> distribution, Random random)
    {
        double total = 0;
        int last = -1;
        for (int id = 0; id < distribution.Length; id++)
        {
            if (distribution[id] > 0)
            {
                total += distribution[id];
                last = id;
            }
        }
        if (last < 0)
            return -1;
        double u = random.NextDouble() * total, running = 0;
        for (int id = 0; id < distribution.Length; id++)
        {
            running += distribution[id];
            if (distribution[id] > 0 && u < running)
                return id;
        }
        return last;
    }

    private static bool IsArgmax(SamplingParams sampling) => sampling.Temperature == 0 || sampling.TopK == 1;

    /// <summary>
    /// p = softmax(logits / T) into <paramref name="p"/>, then top-k and top-p (renormalized after top-k) and min-p:
    /// returns how many of <paramref name="order"/>'s leading ids (descending probability, ties to the lower id) are
    /// kept, or −1 when no candidate filter but min-p applies and ids are drawn in id order.
    /// </summary>
    private static int Filter(ReadOnlySpan<float> logits, SamplingParams sampling, Span<float> p, int[] order)
    {
        int vocab = logits.Length;
        TensorPrimitives.Multiply(logits, (float)(1.0 / sampling.Temperature), p);
        float max = TensorPrimitives.Max(p);
        TensorPrimitives.Subtract(p, max, p);
        TensorPrimitives.Exp(p, p);
        TensorPrimitives.Multiply(p, 1f / TensorPrimitives.Sum(p), p);

        int topK = sampling.TopK > 0 && sampling.TopK < vocab ? sampling.TopK : vocab;
        if (topK == vocab && sampling.TopP >= 1)
            return -1;

        // Candidates by descending probability (ties by id) so top-k and top-p cut a prefix.   [topK]
        var ids = order.AsSpan(0, topK);
        if (topK < vocab)
        {
            TopSelection.Largest(p, ids);
        }
        else
        {
            for (int i = 0; i < vocab; i++)
                ids[i] = i;
            var scratch = ArrayPool<float>.Shared.Rent(vocab);
            p.CopyTo(scratch);
            ids.Sort(new ByDescendingProbability(scratch));
            ArrayPool<float>.Shared.Return(scratch);
        }

        int kept = topK;
        if (sampling.TopP < 1)
        {
            // vLLM renormalizes after top-k: top-p is a share of the mass top-k kept.
            double keptMass = 0;
            for (int i = 0; i < kept; i++)
                keptMass += p[ids[i]];
            double target = sampling.TopP * keptMass, mass = 0;
            for (int i = 0; i < kept; i++)
            {
                mass += p[ids[i]];
                if (mass >= target)
                {
                    kept = i + 1;
                    break;
                }
            }
        }
        if (sampling.MinP > 0)
        {
            double floor = sampling.MinP * p[ids[0]];
            int i = 1;
            while (i < kept && p[ids[i]] >= floor)
                i++;
            kept = i;
        }
        return kept;
    }

    /// <summary>One draw among <paramref name="candidates"/>, walked in their given order.</summary>
    private static int DrawInOrder(ReadOnlySpan<float> p, ReadOnlySpan<int> candidates, Random random)
    {
        double total = 0;
        foreach (int id in candidates)
            total += p[id];
        double u = random.NextDouble() * total;
        double running = 0;
        foreach (int id in candidates)
        {
            running += p[id];
            if (u < running)
                return id;
        }
        return candidates[^1];
    }

    /// <summary>One draw among the ids whose probability reaches min-p's floor, walked by id.</summary>
    private static int DrawInIdOrder(ReadOnlySpan<float> p, double minP, Random random)
    {
        double floor = minP > 0 ? minP * TensorPrimitives.Max(p) : 0;
        double total = 0;
        int last = 0;
        for (int id = 0; id < p.Length; id++)
        {
            if (p[id] >= floor && p[id] > 0)
            {
                total += p[id];
                last = id;
            }
        }
        double u = random.NextDouble() * total;
        double running = 0;
        for (int id = 0; id < p.Length; id++)
        {
            if (p[id] >= floor)
            {
                running += p[id];
                if (u < running)
                    return id;
            }
        }
        return last;
    }

    /// <summary>Orders ids by descending probability, ties to the lower id; a struct so sorting allocates nothing.</summary>
    private readonly struct ByDescendingProbability(float[] probabilities) : IComparer<int>
    {
        public int Compare(int a, int b) =>
            probabilities[a] != probabilities[b] ? probabilities[b].CompareTo(probabilities[a]) : a.CompareTo(b);
    }
}
