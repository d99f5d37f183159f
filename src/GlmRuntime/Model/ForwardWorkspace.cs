namespace GlmRuntime.Model;

/// <summary>Scratch buffers the layers reuse across forwards; each grows to the largest chunk seen.</summary>
internal sealed class ForwardWorkspace
{
    private readonly float[][] _floats = new float[Enum.GetValues<Slot>().Length][];
    private int[] _experts = [];

    /// <summary>Named uses, so no two live tensors share a buffer.</summary>
    public enum Slot
    {
        Normed, AttentionOut, FeedForwardOut, QueryLatent, Query, KvLatent, AbsorbedQuery, LatentOut, HeadOut, LatentCopy,
        ExpandedKv, AbsorbedInput, AbsorbedHeads, IndexerQuery, IndexerKey, IndexerWeights, MlpGate, MlpUp, RouterLogits, ExpertWeights, SharedOut, MtpJoined, MtpInput,
    }

    /// <summary>A float span of <paramref name="length"/> (contents undefined).</summary>
    public Span<float> Get(Slot slot, int length)
    {
        ref float[] buffer = ref _floats[(int)slot];
        if (buffer is null || buffer.Length < length)
            buffer = new float[Math.Max(length, (buffer?.Length ?? 0) * 3 / 2)];
        return buffer.AsSpan(0, length);
    }

    /// <summary>The routed-expert buffer.</summary>
    public Span<int> Experts(int length)
    {
        if (_experts.Length < length)
            _experts = new int[Math.Max(length, _experts.Length * 3 / 2)];
        return _experts.AsSpan(0, length);
    }
}
