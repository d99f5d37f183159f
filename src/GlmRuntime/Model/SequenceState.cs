using GlmRuntime.Kv;

namespace GlmRuntime.Model;

/// <summary>
/// Everything the model keeps for one sequence between forwards: a <see cref="LayerKvCache"/> per main layer and
/// one for the MTP layer, whose slots advance separately (slot i pairs hidden state i with token i+1).
/// </summary>
internal sealed class SequenceState(LayerKvCache[] layers, LayerKvCache? mtpLayer)
{
    /// <summary>The caches of the main layers, in model order.</summary>
    public IReadOnlyList<LayerKvCache> Layers { get; } = layers;

    /// <summary>The MTP layer's own cache, or null for a model without MTP.</summary>
    public LayerKvCache? MtpLayer { get; } = mtpLayer;

    /// <summary>Tokens in the main caches (= the next position).</summary>
    public int Length => Layers.Count == 0 ? 0 : Layers[0].Count;

    /// <summary>Slots in the MTP cache.</summary>
    public int MtpLength => MtpLayer?.Count ?? 0;

    /// <summary>Rolls the main caches back to <paramref name="length"/> tokens.</summary>
    public void Truncate(int length)
    {
        foreach (var layer in Layers)
            layer.Truncate(length);
    }

    /// <summary>Rolls the MTP cache back to <paramref name="length"/> slots.</summary>
    public void TruncateMtp(int length) => MtpLayer?.Truncate(length);
}
