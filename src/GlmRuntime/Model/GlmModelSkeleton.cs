using GlmRuntime.Configuration;
using GlmRuntime.Weights;

namespace GlmRuntime.Model;

// TEMPORARY API SKELETON (replaced by the real implementation before landing).

/// <summary>The caches of one sequence: main layers and the MTP layer.</summary>
internal sealed class SequenceState
{
    /// <summary>Tokens in the main caches (= next position).</summary>
    public int Length => throw new NotImplementedException();
    /// <summary>Slots in the MTP cache.</summary>
    public int MtpLength => throw new NotImplementedException();
}

/// <summary>Result of a forward: hidden [T, d] after the final norm; logits [R, V] with R = T or 1 (last row only).</summary>
internal sealed record ForwardResult(float[] Hidden, float[] Logits, int TokenCount, int LogitRows);

internal sealed class GlmModel : IDisposable
{
    public static GlmModel Load(string modelDirectory, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public GlmConfig Config => throw new NotImplementedException();
    public bool HasMtp => throw new NotImplementedException();
    public SequenceState CreateSequence() => throw new NotImplementedException();
    /// <summary>Runs <paramref name="tokens"/> at positions seq.Length.. and appends them to the caches.</summary>
    public ForwardResult Forward(SequenceState sequence, ReadOnlySpan<int> tokens, bool allLogits = true) => throw new NotImplementedException();
    /// <summary>MTP slots at positions seq.MtpLength..: pairs hidden[i] (post-norm, [T,d]) with Emb(nextTokens[i]); returns logits [T, V].</summary>
    public float[] ForwardMtp(SequenceState sequence, ReadOnlySpan<float> hidden, ReadOnlySpan<int> nextTokens) => throw new NotImplementedException();
    public void Dispose() => throw new NotImplementedException();
}
