using GlmRuntime.Kv;

namespace GlmRuntime.Model;

/// <summary>
/// Everything the model keeps for one sequence between forwards: a cache per main layer and one for the MTP
/// layer, whose slots advance separately (slot i pairs hidden state i with token i+1). The caches are contiguous
/// (<see cref="GlmModel.CreateSequence"/>) or paged (the engine's <see cref="KvSequence"/>).
/// </summary>
internal sealed class SequenceState(IKvLayerCache[] layers, IKvLayerCache? mtpLayer)
{
    /// <summary>The caches of the main layers, in model order.</summary>
    public IReadOnlyList<IKvLayerCache> Layers { get; } = layers;

    /// <summary>The MTP layer's own cache, or null when it is not kept.</summary>
    public IKvLayerCache? MtpLayer { get; } = mtpLayer;

    /// <summary>Tokens in the main caches (= the next position).</summary>
    public int Length => Layers.Count == 0 ? 0 : Layers[0].Count;

    /// <summary>Slots in the MTP cache.</summary>
    public int MtpLength => MtpLayer?.Count ?? 0;

    /// <summary>The cache of the layer with checkpoint index <paramref name="layerIndex"/> (L is the MTP layer).</summary>
    public IKvLayerCache CacheFor(int layerIndex) =>
        layerIndex < Layers.Count ? Layers[layerIndex]
        : MtpLayer ?? throw new InvalidOperationException($"Layer {layerIndex} is the MTP layer and this sequence keeps no MTP cache.");

    /// <summary>Rolls the main caches back to <paramref name="length"/> tokens.</summary>
    public void Truncate(int length)
    {
        foreach (var layer in Layers)
            layer.Truncate(Math.Min(length, layer.Count));
    }

    /// <summary>Rolls the MTP cache back to <paramref name="length"/> slots.</summary>
    public void TruncateMtp(int length) => MtpLayer?.Truncate(Math.Min(length, MtpLayer.Count));
}
