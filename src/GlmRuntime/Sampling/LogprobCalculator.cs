using System.Buffers;
using System.Numerics.Tensors;

namespace GlmRuntime.Sampling;

/// <summary>
/// Log-probabilities from a row of logits: log_softmax(x)_i = x_i − logsumexp(x), with
/// logsumexp(x) = max + ln Σ exp(x_j − max) so no exponent overflows, and the sum accumulated in double.
/// </summary>
internal static class LogprobCalculator
{
    // Exponentials are taken this many at a time in a stack buffer: vectorized, and nothing on the heap.
    private const int ChunkLength = 512;

    // Index scratch for up to this many top-n entries lives on the stack (n is at most 20 through SamplingParams).
    private const int StackIndexLimit = 64;

    /// <summary>ln Σ exp(logits), numerically stable. −∞ when every logit is −∞; NaN propagates.</summary>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty.</exception>
    public static double LogSumExp(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
            throw new ArgumentException("No logits.", nameof(logits));
        float max = TensorPrimitives.Max(logits);
        if (!float.IsFinite(max))
            return max; // −∞ (all masked), +∞ or NaN: there is no finite normalizer to compute

        Span<float> chunk = stackalloc float[ChunkLength];
        double sum = 0;
        for (int start = 0; start < logits.Length; start += ChunkLength)
        {
            var source = logits.Slice(start, Math.Min(ChunkLength, logits.Length - start));
            var shifted = chunk[..source.Length];
            TensorPrimitives.Subtract(source, max, shifted);
            TensorPrimitives.Exp(shifted, shifted);
            sum += TensorPrimitives.Sum(shifted);
        }
        return max + Math.Log(sum);
    }

    /// <summary>ln p(token) given the row's <paramref name="logSumExp"/>.</summary>
    public static float Logprob(ReadOnlySpan<float> logits, double logSumExp, int tokenId) =>
        (float)(logits[tokenId] - logSumExp);

    /// <summary>
    /// Writes the <c>min(n, V)</c> most likely tokens of <paramref name="logits"/> [V] with their log-probabilities
    /// into <paramref name="destination"/>, most likely first (ties to the lower id), and returns how many it wrote.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <c>min(n, V)</c>.</exception>
    public static int TopLogprobs(ReadOnlySpan<float> logits, int n, Span<TokenLogprob> destination) =>
        TopLogprobs(logits, LogSumExp(logits), n, destination);

    /// <summary>
    /// <see cref="TopLogprobs(ReadOnlySpan{float}, int, Span{TokenLogprob})"/> with the row's log-sum-exp already
    /// known, so a caller that also needs the chosen token's logprob computes it once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <c>min(n, V)</c>.</exception>
    public static int TopLogprobs(ReadOnlySpan<float> logits, double logSumExp, int n, Span<TokenLogprob> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int count = Math.Min(n, logits.Length);
        if (destination.Length < count)
            throw new ArgumentException($"The destination holds {destination.Length} entries; {count} are needed.", nameof(destination));
        if (count == 0)
            return 0;

        int[]? rented = null;
        Span<int> ids = count <= StackIndexLimit
            ? stackalloc int[StackIndexLimit]
            : rented = ArrayPool<int>.Shared.Rent(count);
        try
        {
            // Ranking raw logits ranks log-probabilities: they differ by one constant.
            ids = ids[..count];
            TopSelection.Largest(logits, ids);
            for (int i = 0; i < count; i++)
                destination[i] = new TokenLogprob(ids[i], Logprob(logits, logSumExp, ids[i]));
            return count;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<int>.Shared.Return(rented);
        }
    }
}
