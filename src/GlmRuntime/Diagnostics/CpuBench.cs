using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Weights;

namespace GlmRuntime.Diagnostics;

/// <summary>Options of <see cref="CpuBench.Run"/>.</summary>
internal sealed record CpuBenchOptions
{
    /// <summary>Worker threads (the caller included); every figure uses the same count.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Folder of the synthetic model (written there on first use).</summary>
    public string ModelDirectory { get; init; } = SyntheticModelProbe.DefaultDirectory;

    /// <summary>Folder for the kernel probes' weight files.</summary>
    public string ScratchDirectory { get; init; } = Path.GetTempPath();

    /// <summary>Fewer repetitions and smaller decode steps (a smoke run, not a measurement).</summary>
    public bool Quick { get; init; }

    /// <summary>Activations of the MXFP4 products in the headline GEMV and the synthetic model's figures.</summary>
    public CpuActivationPrecision Activations { get; init; } = CpuActivationPrecision.Int8;

    /// <summary>Machine limits and kernels only: skip the synthetic model.</summary>
    public bool KernelsOnly { get; init; }
}

/// <summary>
/// <c>glm bench cpu</c>: the machine's limits and every CPU kernel's achieved rate measured in one run, and each
/// rate as a fraction of the limit that binds it (read bandwidth for GEMVs and decode, the fp32 FMA peak for the
/// GEMMs, whose micro-kernels are FMA-bound). Keys are stable; README.md documents them.
/// </summary>
internal static class CpuBench
{
    public static CpuBenchReport Run(CpuBenchOptions options, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var parallel = new CpuParallel(options.Threads);
        int reps = options.Quick ? 3 : 7;
        var r = new CpuBenchReport();
        r.Set("threads", parallel.ThreadCount);
        r.Set("isa", parallel.Isa.ToString());
        r.Set("activations", options.Activations.ToString());

        log?.Invoke("machine: read bandwidth, FMA and int8 peaks");
        long probeBytes = options.Quick ? 256L << 20 : 1L << 30;
        // The limits are measured again after the kernels and the higher reading kept: on a shared (virtual) machine
        // one reading can come out low, and a low limit would flatter every fraction taken against it.
        double bandwidth = MachineProbe.ReadBandwidthGbs(parallel, probeBytes, reps);
        double fmaPeak = MachineProbe.FmaPeakGflops(parallel, reps);
        r.Set("read_bw_gbs", bandwidth);
        r.Set("fma_peak_gflops", fmaPeak);
        double int8Peak = MachineProbe.Int8PeakGops(parallel, reps);
        r.Set("int8_peak_gops", int8Peak);
        cancellationToken.ThrowIfCancellationRequested();

        // GEMV at the 8192 × 16384 class (16384 rows of K = 8192), prefill GEMM at 128 tokens. MXFP4 runs with
        // both activation precisions; the unprefixed mxfp4 keys repeat the selected one.
        var int8 = new CpuParallel(options.Threads, activations: CpuActivationPrecision.Int8);
        var selectedParallel = options.Activations == CpuActivationPrecision.Int8 ? int8 : parallel;
        var kernelFigures = new List<(string Key, double Value, bool PerBandwidth, bool Int8)>();
        foreach (var (key, format, n, k) in new[] { ("mxfp4", WeightFormat.Mxfp4, 16384, 8192), ("fp8", WeightFormat.Fp8Block, 8192, 8192), ("bf16", WeightFormat.BF16, 8192, 8192) })
        {
            log?.Invoke($"kernels: {key} GEMV {n}×{k} and GEMM");
            string path = Path.Combine(options.ScratchDirectory, $"glmrt-bench-{key}-{n}x{k}.safetensors");
            using (var weight = RandomLinearWeight.Create(path, format, n, k, seed: 11))
            {
                var modes = format == WeightFormat.Mxfp4 ? new[] { ("f32_", parallel), ("int8_", int8) } : [("", parallel)];
                foreach (var (mode, p) in modes)
                {
                    kernelFigures.Add(($"{key}_{mode}gemv", KernelProbe.GemvGbs(p, weight.Weight, reps), true, false));
                    kernelFigures.Add(($"{key}_{mode}gemm", KernelProbe.GemmGflops(p, weight.Weight, options.Quick ? 32 : 128, options.Quick ? 1 : 3), false,
                        mode == "int8_"));
                }
            }
            File.Delete(path);
            cancellationToken.ThrowIfCancellationRequested();
        }
        log?.Invoke("machine: read bandwidth, FMA and int8 peaks again");
        bandwidth = Math.Max(bandwidth, MachineProbe.ReadBandwidthGbs(parallel, probeBytes, reps));
        fmaPeak = Math.Max(fmaPeak, MachineProbe.FmaPeakGflops(parallel, reps));
        int8Peak = Math.Max(int8Peak, MachineProbe.Int8PeakGops(parallel, reps));
        r.Set("read_bw_gbs", bandwidth);
        r.Set("fma_peak_gflops", fmaPeak);
        r.Set("int8_peak_gops", int8Peak);
        foreach (var (key, value, perBandwidth, int8Family) in kernelFigures)
        {
            if (perBandwidth)
            {
                r.Set($"{key}_gbs", value);
                r.Set($"{key}_bw_fraction", value / bandwidth);
            }
            else
            {
                r.Set($"{key}_gflops", value);
                // Each GEMM against the peak of the instructions it multiplies with: int8 activations use vpmaddubsw.
                r.Set($"{key}_peak_fraction", int8Family ? (int8Peak > 0 ? value / int8Peak : 0) : value / fmaPeak);
            }
        }
        string selected = options.Activations == CpuActivationPrecision.Int8 ? "int8_" : "f32_";
        foreach (string suffix in new[] { "gemv_gbs", "gemv_bw_fraction", "gemm_gflops", "gemm_peak_fraction" })
            r.Set($"mxfp4_{suffix}", r.Number($"mxfp4_{selected}{suffix}"));
        r.Set("prefill_peak_fraction", r.Number($"mxfp4_{selected}gemm_peak_fraction"));
        if (options.KernelsOnly)
            return r;

        SyntheticModelProbe.EnsureWritten(options.ModelDirectory, log);
        using var model = SyntheticModelProbe.Load(options.ModelDirectory, options.Threads, maxSequenceLength: 1024, options.Activations);
        var config = model.Config;
        long active = SyntheticModelProbe.ActiveBytesPerToken(model.Weights);
        r.Set("model_active_bytes_per_token", active);

        log?.Invoke("kernels: MoE step, sparse MLA decode, indexer");
        var moe = model.Weights.Layers[config.FirstKDenseReplace].Moe!;
        double moeGbs = KernelProbe.MoeStepGbs(selectedParallel, moe, config.NumExpertsPerTok, 1, reps);
        r.Set("moe_step_b1_gbs", moeGbs);
        r.Set("moe_step_b1_bw_fraction", moeGbs / bandwidth);
        var shape = new MlaShape(config.NumAttentionHeads, config.QkNopeHeadDim, config.QkRopeHeadDim, config.VHeadDim, config.KvLoraRank, (float)config.SoftmaxScale);
        r.Set("sparse_mla_decode_gflops", KernelProbe.SparseAttentionGflops(parallel, shape, cached: 4096, selected: config.IndexTopK, reps));
        r.Set("indexer_gflops", KernelProbe.IndexerGflops(parallel, config.IndexNHeads, config.IndexHeadDim, cached: 4096, config.IndexTopK, reps));
        cancellationToken.ThrowIfCancellationRequested();

        const int context = 64;
        foreach (int batch in new[] { 1, 4, 16, 64 })
        {
            log?.Invoke($"synthetic model: decode at batch {batch}");
            int steps = options.Quick ? 1 : Math.Max(2, 16 / batch);
            r.Set($"decode_b{batch}_tokens_per_s", SyntheticModelProbe.DecodeTokensPerSecond(model, batch, context, steps));
            cancellationToken.ThrowIfCancellationRequested();
        }
        double roofline = bandwidth * 1e9 / active;
        r.Set("decode_b1_roofline_tokens_per_s", roofline);
        r.Set("decode_b1_roofline_fraction", r.Number("decode_b1_tokens_per_s") / roofline);
        // The streaming sum is the bandwidth, but a prefetching kernel sometimes reads faster than it here; the
        // fraction against the best rate seen in this run (sum or any cold GEMV) is the stricter figure.
        double best = kernelFigures.Where(f => f.PerBandwidth).Select(f => f.Value).Append(bandwidth).Max();
        r.Set("best_read_gbs", best);
        r.Set("decode_b1_best_read_fraction", r.Number("decode_b1_tokens_per_s") / (best * 1e9 / active));
        r.Set("decode_b16_over_b1", r.Number("decode_b16_tokens_per_s") / r.Number("decode_b1_tokens_per_s"));

        log?.Invoke("synthetic model: prefill");
        r.Set("prefill_tokens_per_s", SyntheticModelProbe.PrefillTokensPerSecond(model, options.Quick ? 64 : 512, options.Quick ? 1 : 3));
        return r;
    }
}
