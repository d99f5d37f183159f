namespace GlmRuntime.Checkpoints;

/// <summary>What a checkpoint tensor is for; decides how it may be stored and initialized.</summary>
public enum TensorRole
{
    /// <summary>The token embedding (or its MTP copy).</summary>
    Embedding,
    /// <summary>A Linear layer's weight [out, in]; the only role that may be quantized.</summary>
    Linear,
    /// <summary>An RMSNorm or LayerNorm scale.</summary>
    NormWeight,
    /// <summary>A LayerNorm bias (the indexer's k_norm).</summary>
    NormBias,
    /// <summary>The router's F32 e_score_correction_bias.</summary>
    RouterBias,
}
