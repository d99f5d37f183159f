using System.Buffers;
using System.Numerics.Tensors;

namespace GlmRuntime.Sampling;

/// <summary>
/// Picks a token from one row of logits with vLLM's semantics: temperature 0 is argmax (ties to the lowest id);
/// otherwise logits / temperature, then top-k, top-p (smallest set reaching the mass) and min-p filters on the
/// resulting distribution, then one draw from the request's own random stream.
/// </summary>
internal static class Sampler
{
    public static int Sample(ReadOnlySpan<float> logits, SamplingParams sampling, Random random)
    {
        if (logits.IsEmpty)
            throw new ArgumentException("No logits to sample from.", nameof(logits));
        if (sampling.Temperature == 0 || sampling.TopK == 1)
            return TensorPrimitives.IndexOfMax(logits);

        int vocab = logits.Length;
        float[] probabilities = ArrayPool<float>.Shared.Rent(vocab);
        int[] order = ArrayPool<int>.Shared.Rent(vocab);
        try
        {
            var p = probabilities.AsSpan(0, vocab);
            TensorPrimitives.Multiply(logits, (float)(1.0 / sampling.Temperature), p);
            float max = TensorPrimitives.Max(p);
            TensorPrimitives.Subtract(p, max, p);
            TensorPrimitives.Exp(p, p);
            TensorPrimitives.Multiply(p, 1f / TensorPrimitives.Sum(p), p);

            // Candidates by descending probability (ties by id) so top-k and top-p cut a prefix.
            var ids = order.AsSpan(0, vocab);
            for (int i = 0; i < vocab; i++)
                ids[i] = i;
            float[] keys = probabilities; // p is its prefix; the comparer needs an array, not a span
            ids.Sort((a, b) => keys[b] != keys[a] ? keys[b].CompareTo(keys[a]) : a.CompareTo(b));

            int kept = sampling.TopK > 0 ? Math.Min(sampling.TopK, vocab) : vocab;
            if (sampling.TopP < 1)
            {
                double mass = 0;
                for (int i = 0; i < kept; i++)
                {
                    mass += keys[ids[i]];
                    if (mass >= sampling.TopP)
                    {
                        kept = i + 1;
                        break;
                    }
                }
            }
            if (sampling.MinP > 0)
            {
                double floor = sampling.MinP * keys[ids[0]];
                int i = 1;
                while (i < kept && keys[ids[i]] >= floor)
                    i++;
                kept = i;
            }

            double total = 0;
            for (int i = 0; i < kept; i++)
                total += keys[ids[i]];
            double u = random.NextDouble() * total;
            double running = 0;
            for (int i = 0; i < kept; i++)
            {
                running += keys[ids[i]];
                if (u < running)
                    return ids[i];
            }
            return ids[kept - 1];
        }
        finally
        {
            ArrayPool<float>.Shared.Return(probabilities);
            ArrayPool<int>.Shared.Return(order);
        }
    }
}
