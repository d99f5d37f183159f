using GlmRuntime.Configuration;

namespace GlmRuntime.Native.Tuning;

/// <summary>
/// <c>glm tune</c>: times every candidate launch configuration of a model's GPU kernel shapes on the present device
/// (synthetic weights of the model's shape and dtype, seeded random routing) and keeps the fastest per token bucket,
/// as table rows for <see cref="KernelConfigTable"/>.
/// </summary>
internal static class KernelTuner
{
    /// <param name="DeviceIndex">The GPU to tune on.</param>
    /// <param name="Tokens">Token buckets to tune (default: every bucket, 1 .. 512).</param>
    /// <param name="Iterations">Timed calls per candidate.</param>
    /// <param name="Candidates">Configurations to try (default: all the kernels accept).</param>
    public sealed record Options(int DeviceIndex = 0, IReadOnlyList<int>? Tokens = null, int Iterations = 10, IReadOnlyList<MoeKernelConfig>? Candidates = null);

    /// <exception cref="InvalidOperationException">The GPU is not available, or the model has no routed experts.</exception>
    public static IReadOnlyList<KernelConfigEntry> Tune(GlmConfig model, Options options, Action<string> log, CancellationToken cancellationToken = default)
    {
        var info = GpuDiagnostics.Collect().GpuDevices.FirstOrDefault(d => d.Index == options.DeviceIndex)
            ?? throw new InvalidOperationException($"GPU {options.DeviceIndex} is not available; `glm diagnose` says what was found.");
        if (model.NRoutedExperts <= 0)
            throw new InvalidOperationException("The model has no routed experts: there is no MoE kernel to tune.");
        var tokens = (options.Tokens ?? ModelKernelShapes.Buckets).Select(KernelConfigTable.Bucket).Distinct().Order().ToList();
        var candidates = options.Candidates ?? MoeKernelConfig.Candidates;
        string architecture = KernelConfigTable.NormalizeArchitecture(info.Architecture);
        using var device = DeviceHandle.Create(options.DeviceIndex);
        using var stream = StreamHandle.Create(device);
        using var timer = new GpuTimer(device, stream);
        using var layer = new SyntheticMoeLayer(device, stream, ModelKernelShapes.ExpertDType(model), model.HiddenSize, model.MoeIntermediateSize,
            model.NRoutedExperts, model.NumExpertsPerTok, tokens.Max());
        var entries = new List<KernelConfigEntry>();
        foreach (int count in tokens)
        {
            (MoeKernelConfig Config, double Ms)? best = null;
            foreach (var candidate in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double ms = layer.Time(timer, candidate, count, options.Iterations);
                if (best is null || ms < best.Value.Ms)
                    best = (candidate, ms);
            }
            var (config, time) = best!.Value;
            log($"{architecture} {layer.Shape} tokens≤{count}: {config} at {time * 1000:F1} µs (of {candidates.Count} candidates)");
            entries.Add(new KernelConfigEntry(architecture, KernelConfigTable.MoeOp, layer.Shape, count, config,
                $"tuned on {info.Name} ({info.Architecture}), {options.Iterations} timed calls each, {DateTime.UtcNow:yyyy-MM-dd}", time * 1000));
        }
        return entries;
    }
}
