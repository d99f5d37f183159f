using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;

namespace GlmRuntime.Weights;

/// <summary>
/// Every weight of a GLM-5 checkpoint, bound by name and kept in its stored format (BF16, FP8 block,
/// MXFP4) inside the checkpoint's memory mappings. Owns the checkpoint: disposing unmaps the files.
/// </summary>
internal sealed class GlmWeights(
    GlmConfig config,
    Checkpoint checkpoint,
    LinearWeight embedding,
    VectorWeight finalNorm,
    LinearWeight lmHead,
    IReadOnlyList<DecoderLayerWeights> layers,
    MtpWeights? mtp,
    IReadOnlyList<FormatDisagreement> disagreements,
    IReadOnlyList<string> warnings) : IDisposable
{
    public GlmConfig Config { get; } = config;

    public Checkpoint Checkpoint { get; } = checkpoint;

    public LinearWeight Embedding { get; } = embedding;         // [V, d]

    public VectorWeight FinalNorm { get; } = finalNorm;         // [d]

    public LinearWeight LmHead { get; } = lmHead;               // [V, d]

    public IReadOnlyList<DecoderLayerWeights> Layers { get; } = layers;

    public MtpWeights? Mtp { get; } = mtp;

    /// <summary>Config/checkpoint format disagreements that the checkpoint resolved.</summary>
    public IReadOnlyList<FormatDisagreement> Disagreements { get; } = disagreements;

    /// <summary>Tensors present in the checkpoint but not part of the model.</summary>
    public IReadOnlyList<string> Warnings { get; } = warnings;

    /// <summary>Opens <paramref name="modelDirectory"/> (config.json + safetensors) and binds every tensor.</summary>
    /// <exception cref="Configuration.ConfigException">config.json is invalid.</exception>
    /// <exception cref="CheckpointException">A file is malformed or tensors are missing or misshapen.</exception>
    /// <param name="modelDirectory">The model folder.</param>
    /// <param name="progress">Binding progress.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <param name="placement">Where the tensor data lives: cache-line aligned (the default) for the CPU kernels.</param>
    public static GlmWeights Load(string modelDirectory, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default,
        SafetensorsDataPlacement placement = SafetensorsDataPlacement.CacheLineAligned)
    {
        GlmConfig config = GlmConfig.Load(modelDirectory);
        Checkpoint checkpoint = Checkpoint.Open(modelDirectory, placement, cancellationToken);
        try
        {
            return WeightBinder.Bind(checkpoint, config, progress, cancellationToken);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>Every matrix of the model (embedding and lm_head once each, MTP included).</summary>
    public IEnumerable<LinearWeight> AllLinearWeights()
    {
        yield return Embedding;
        foreach (var layer in Layers)
        {
            foreach (var w in LayerLinears(layer))
                yield return w;
        }
        if (!ReferenceEquals(LmHead, Embedding))
            yield return LmHead;
        if (Mtp is { } mtp)
        {
            yield return mtp.EhProj;
            foreach (var w in LayerLinears(mtp.Block))
                yield return w;
            if (mtp.EmbedTokens is { } e)
                yield return e;
            if (mtp.SharedHeadHead is { } h)
                yield return h;
        }
    }

    public void Dispose() => Checkpoint.Dispose();

    private static IEnumerable<LinearWeight> LayerLinears(DecoderLayerWeights layer)
    {
        var a = layer.Attention;
        IEnumerable<LinearWeight> result = [a.QAProj, a.QBProj, a.KvAProj, a.KvBProj, a.OProj];
        if (a.Indexer is { } ix)
            result = result.Concat([ix.WqB, ix.Wk, ix.WeightsProj]);
        if (layer.DenseMlp is { } mlp)
            result = result.Concat([mlp.Gate, mlp.Up, mlp.Down]);
        if (layer.Moe is { } moe)
        {
            result = result.Append(moe.Router).Concat(moe.Experts.SelectMany(e => new[] { e.Gate, e.Up, e.Down }));
            if (moe.SharedExperts is { } s)
                result = result.Concat([s.Gate, s.Up, s.Down]);
        }
        return result;
    }
}
