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
        if (sampling.Temperature == 0 || sampling.TopK == 1)
            return TensorPrimitives.IndexOfMax(logits);

        int vocab = logits.Length;
        float[] probabilities = ArrayPool<float>.Shared.Rent(vocab);
        int[]? order = null;
        try
        {
            // p = softmax(logits / T)   [V]
            var p = probabilities.AsSpan(0, vocab);
            TensorPrimitives.Multiply(logits, (float)(1.0 / sampling.Temperature), p);
            float max = TensorPrimitives.Max(p);
            TensorPrimitives.Subtract(p, max, p);
            TensorPrimitives.Exp(p, p);
            TensorPrimitives.Multiply(p, 1f / TensorPrimitives.Sum(p), p);

            int topK = sampling.TopK > 0 && sampling.TopK < vocab ? sampling.TopK : vocab;
            if (topK == vocab && sampling.TopP >= 1)
                return DrawInIdOrder(p, sampling.MinP, random);

            // Candidates by descending probability (ties by id) so top-k and top-p cut a prefix.   [topK]
            order = ArrayPool<int>.Shared.Rent(topK);
            var ids = order.AsSpan(0, topK);
            if (topK < vocab)
            {
                TopSelection.Largest(p, ids);
            }
            else
            {
                for (int i = 0; i < vocab; i++)
                    ids[i] = i;
                ids.Sort(new ByDescendingProbability(probabilities));
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
            return DrawInOrder(p, ids[..kept], random);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(probabilities);
            if (order is not null)
                ArrayPool<int>.Shared.Return(order);
        }
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
