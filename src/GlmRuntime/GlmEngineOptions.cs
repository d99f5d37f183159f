namespace GlmRuntime;

/// <summary>
/// Options of <see cref="GlmEngine.LoadAsync"/>: memory for the paged KV cache and the scheduler's budgets.
/// Names map to vLLM/sglang flags in the README glossary.
/// </summary>
public sealed record GlmEngineOptions
{
    /// <summary>Longest sequence (prompt plus output) served; null uses the model's max_position_embeddings.</summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>CPU threads for the compute kernels; null uses every core.</summary>
    public int? ThreadCount { get; init; }

    /// <summary>
    /// Activations against MXFP4 weights on the CPU backend: <see cref="GlmRuntime.CpuActivationPrecision.Float32"/> (exact,
    /// the default) or <see cref="GlmRuntime.CpuActivationPrecision.Int8"/> (faster decode, llama.cpp-like numerics).
    /// </summary>
    public CpuActivationPrecision CpuActivationPrecision { get; init; } = CpuActivationPrecision.Float32;

    /// <summary>
    /// Where the kernels run: <see cref="ComputeDevice.Cpu"/> (the default), <see cref="ComputeDevice.Gpu"/> or
    /// <see cref="ComputeDevice.Auto"/> (the GPU when one is present). <see cref="GlmEngine.Diagnose()"/> says what is found.
    /// </summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Which GPU the GPU backend opens (the runtime's device index, as listed by <see cref="GlmEngine.Diagnose()"/>).</summary>
    public int GpuDeviceIndex { get; init; }

    /// <summary>
    /// A kernel-configuration table written by <c>glm tune</c> for this device and model, overlaid on the shipped
    /// table (GLM-5's shapes). Null: the file GLMRT_KERNEL_CONFIGS names, if any. A GPU kernel shape found in neither
    /// runs an untuned fallback, and says so: a warning once per shape, the <c>glm.gpu.untuned_kernel_calls</c>
    /// counter, and <see cref="GlmDiagnostics.UntunedKernels"/>.
    /// </summary>
    public string? KernelConfigFile { get; init; }

    /// <summary>
    /// Where the engine logs warnings (an untuned GPU kernel shape, ...). Null writes them to standard error. The
    /// untuned-kernel warning is process-wide: the most recently loaded engine's logger receives it.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Bytes for KV pages (vLLM's gpu_memory_utilization, sglang's mem_fraction_static, as an absolute budget).</summary>
    public long KvCacheBytes { get; init; } = 256L << 20;

    /// <summary>Tokens per KV page (vLLM's block size, sglang's page size).</summary>
    public int PageSize { get; init; } = 64;

    /// <summary>Storage of the latent and indexer keys in KV pages.</summary>
    public KvCacheDType KvCacheDType { get; init; } = KvCacheDType.Float32;

    /// <summary>Most tokens one step runs (vLLM's max_num_batched_tokens): decodes count one each, prefill chunks their length.</summary>
    public int MaxBatchTokens { get; init; } = 2048;

    /// <summary>Most requests running at once (vLLM's max_num_seqs, sglang's max_running_requests).</summary>
    public int MaxRunningRequests { get; init; } = 64;

    /// <summary>Longest prefill chunk (sglang's chunked_prefill_size); null prefills each prompt in one piece.</summary>
    public int? ChunkedPrefillTokens { get; init; } = 512;

    /// <summary>Reuse the KV of shared prompt prefixes across requests (sglang's RadixAttention).</summary>
    public bool EnablePrefixCache { get; init; } = true;

    /// <summary>Order of admission.</summary>
    public SchedulingPolicy SchedulingPolicy { get; init; } = SchedulingPolicy.Fcfs;

    /// <summary>
    /// MTP speculative decoding (sglang's <c>--speculative-algorithm EAGLE</c> with the model's own MTP layer); null
    /// (the default) decodes one token per forward. <see cref="SpeculativeDecodingOptions.Glm5Recipe"/> is GLM-5's 3/1/4.
    /// </summary>
    public SpeculativeDecodingOptions? Speculative { get; init; }

    /// <summary>
    /// Keep the MTP layer's KV up to date as tokens are computed (draft-extend), so speculative decoding can draft
    /// from any position; the prefix cache then keys positions by (token, next token).
    /// </summary>
    internal bool KeepMtpCache { get; init; }

    /// <summary>Recount every KV page after each step and fail loudly on a mismatch (tests).</summary>
    internal bool VerifyPagesEachStep { get; init; }

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (MaxSequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "MaxSequenceLength must be at least 1.");
        if (ThreadCount is < 1)
            throw new ArgumentOutOfRangeException(nameof(ThreadCount), ThreadCount, "ThreadCount must be at least 1.");
        if (!Enum.IsDefined(CpuActivationPrecision))
            throw new ArgumentOutOfRangeException(nameof(CpuActivationPrecision), CpuActivationPrecision, "Unknown CPU activation precision.");
        if (!Enum.IsDefined(Device))
            throw new ArgumentOutOfRangeException(nameof(Device), Device, "Unknown compute device.");
        if (KernelConfigFile is not null && !File.Exists(KernelConfigFile))
            throw new FileNotFoundException($"GlmEngineOptions.KernelConfigFile '{KernelConfigFile}' does not exist.", KernelConfigFile);
        if (GpuDeviceIndex < 0)
            throw new ArgumentOutOfRangeException(nameof(GpuDeviceIndex), GpuDeviceIndex, "GpuDeviceIndex must not be negative.");
        if (KvCacheBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(KvCacheBytes), KvCacheBytes, "KvCacheBytes must be positive.");
        if (PageSize is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, "PageSize must be in [1, 4096].");
        if (!Enum.IsDefined(KvCacheDType))
            throw new ArgumentOutOfRangeException(nameof(KvCacheDType), KvCacheDType, "Unknown KV cache dtype.");
        if (MaxBatchTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchTokens), MaxBatchTokens, "MaxBatchTokens must be at least 1.");
        if (MaxRunningRequests < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxRunningRequests), MaxRunningRequests, "MaxRunningRequests must be at least 1.");
        if (ChunkedPrefillTokens is < 1)
            throw new ArgumentOutOfRangeException(nameof(ChunkedPrefillTokens), ChunkedPrefillTokens, "ChunkedPrefillTokens must be at least 1 (null turns chunking off).");
        if (!Enum.IsDefined(SchedulingPolicy))
            throw new ArgumentOutOfRangeException(nameof(SchedulingPolicy), SchedulingPolicy, "Unknown scheduling policy.");
        Speculative?.Validate();
    }
}
