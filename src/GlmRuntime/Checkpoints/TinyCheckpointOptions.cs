namespace GlmRuntime.Checkpoints;

/// <summary>How <see cref="TinyCheckpointWriter"/> stores the Linear weights.</summary>
public enum TinyCheckpointFormat
{
    /// <summary>Everything BF16 (the router bias F32), as GLM-5 ships.</summary>
    BF16,
    /// <summary>AMD Quark MXFP4 for the main layers' Linears; embed, lm_head, norms, router, weights_proj and the whole MTP layer stay BF16.</summary>
    Mxfp4,
    /// <summary>GLM-5-FP8 block-scaled FP8 for every layer's Linears (MTP included) but the router, weights_proj and eh_proj.</summary>
    Fp8,
}

/// <summary>Options of <see cref="TinyCheckpointWriter"/>.</summary>
public sealed record TinyCheckpointOptions
{
    /// <summary>Seed of the deterministic weight generator.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Storage format of the Linear weights.</summary>
    public TinyCheckpointFormat Format { get; init; } = TinyCheckpointFormat.BF16;

    /// <summary>
    /// Build a model whose MTP layer drafts exactly what the target produces (speculative decoding's best case):
    /// every attention o_proj and MLP/expert down_proj is zero, so each layer passes its input through and the
    /// next token depends only on the current one (logits ∝ lm_head(Emb(t))); eh_proj = [I | 0] and the final,
    /// enorm and shared_head norms are 1, so the MTP's logits are a positive multiple of the target's for the same
    /// token, whatever hidden state it is given. Every projection is still computed, so timings stay realistic.
    /// </summary>
    public bool PerfectDraft { get; init; }

    /// <summary>
    /// Fill the quantized Linears with random codes and scales directly (MXFP4 only) instead of quantizing normal
    /// BF16 draws: orders of magnitude faster, for the hundreds of megabytes of the synthetic speed model. The
    /// values keep a standard deviation near 1/√in_features.
    /// </summary>
    public bool RandomPacked { get; init; }

    /// <summary>Number of safetensors shards; more than one writes <c>model.safetensors.index.json</c>.</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>Validates the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (ShardCount < 1)
            throw new ArgumentOutOfRangeException(nameof(ShardCount), ShardCount, "ShardCount must be at least 1.");
        if (!Enum.IsDefined(Format))
            throw new ArgumentOutOfRangeException(nameof(Format), Format, "Unknown checkpoint format.");
    }
}
