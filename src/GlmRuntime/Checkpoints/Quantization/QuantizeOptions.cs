namespace GlmRuntime.Checkpoints.Quantization;

/// <summary>The weight format <see cref="CheckpointQuantizer"/> writes.</summary>
public enum QuantizationFormat
{
    /// <summary>AMD Quark's MXFP4 export: packed E2M1 pairs plus one E8M0 scale per 32 inputs (MXFP4.md §2a).</summary>
    Mxfp4,

    /// <summary>GLM-5-FP8: e4m3fn weights plus one f32 <c>weight_scale_inv</c> per 128×128 tile.</summary>
    Fp8,
}

/// <summary>What <see cref="CheckpointQuantizer.QuantizeAsync"/> does.</summary>
public sealed record QuantizeOptions
{
    /// <summary>The output format.</summary>
    public QuantizationFormat Format { get; init; } = QuantizationFormat.Mxfp4;

    /// <summary>
    /// More modules to leave unquantized: checkpoint module names (<c>model.layers.0.mlp.down_proj</c>), shell-style
    /// patterns with <c>*</c> and <c>?</c> (<c>*.self_attn.*</c>), or Python-style regular expressions prefixed with
    /// <c>re:</c> (Quark's and vLLM's convention).
    /// </summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>
    /// Also leave out what a GLM-5 release leaves out: lm_head, the router gates (<c>mlp.gate</c>),
    /// <c>indexer.weights_proj</c>, and for MXFP4 the whole MTP layer (for FP8, its <c>eh_proj</c>, as GLM-5-FP8 does).
    /// Embeddings and norms are never quantized.
    /// </summary>
    public bool DefaultExclusions { get; init; } = true;

    /// <summary>
    /// Refuse Linear weights whose input width K is not a multiple of 32 instead of writing a partial last block as
    /// Quark does; for runtimes whose MXFP4 kernels need whole blocks (GlmRuntime's GPU grouped MoE runs such experts
    /// one by one). MXFP4 only.
    /// </summary>
    public bool RequireWholeBlocks { get; init; }

    /// <summary>Largest output shard; more are written, with an index, above it.</summary>
    public long MaxShardBytes { get; init; } = 5L << 30;

    /// <summary>Threads quantizing rows; null uses every core.</summary>
    public int? Threads { get; init; }

    /// <summary>Checks the values; the exception names the option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Exclude, nameof(Exclude));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxShardBytes, 1L, nameof(MaxShardBytes));
        if (Threads is < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be at least 1.");
        if (!Enum.IsDefined(Format))
            throw new ArgumentOutOfRangeException(nameof(Format), Format, "Unknown quantization format.");
    }
}

/// <summary>Progress of a quantization: after each tensor.</summary>
/// <param name="Tensor">The tensor just written.</param>
/// <param name="TensorsDone">Tensors done so far.</param>
/// <param name="TensorCount">Tensors in the checkpoint.</param>
/// <param name="SourceBytesDone">Source bytes read so far.</param>
public sealed record QuantizeProgress(string Tensor, int TensorsDone, int TensorCount, long SourceBytesDone);

/// <summary>What a quantization did and how fast.</summary>
/// <param name="QuantizedModuleCount">Linear weights quantized.</param>
/// <param name="ExcludedModules">Linear modules left in BF16 (as written to the config's exclusion list).</param>
/// <param name="SourceBytes">Bytes of tensor data read.</param>
/// <param name="OutputBytes">Bytes of tensor data written.</param>
/// <param name="ShardCount">Output shards.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="PeakWorkingSetBytes">The process's peak working set (mapped source pages included).</param>
/// <param name="PeakManagedBytes">The largest managed heap seen after a tensor (the output buffers).</param>
public sealed record QuantizeReport(int QuantizedModuleCount, IReadOnlyList<string> ExcludedModules, long SourceBytes, long OutputBytes,
    int ShardCount, TimeSpan Elapsed, long PeakWorkingSetBytes, long PeakManagedBytes)
{
    /// <summary>Source gigabytes (10⁹ bytes) read per second.</summary>
    public double SourceGigabytesPerSecond => SourceBytes / 1e9 / Math.Max(Elapsed.TotalSeconds, 1e-9);
}
