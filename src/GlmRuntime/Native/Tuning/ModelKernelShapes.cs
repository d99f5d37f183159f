using GlmRuntime.Configuration;

namespace GlmRuntime.Native.Tuning;

/// <summary>The tuned-table keys a model's GPU kernels look up: its routed experts' grouped-MoE shape per token bucket.</summary>
internal static class ModelKernelShapes
{
    /// <summary>Every token bucket a lookup can land in.</summary>
    public static IReadOnlyList<int> Buckets { get; } = Enumerable.Range(0, 10).Select(i => 1 << i).ToArray(); // 1 .. 512

    /// <summary>The stored dtype of the routed experts, from config.json's quantization_config (none: bf16).</summary>
    public static GlmrtDType ExpertDType(GlmConfig config) => config.Quantization switch
    {
        QuarkQuantizationConfig quark when quark.IsMxfp4 && quark.ExpectsQuantized("model.layers.0.mlp.experts.0.gate_proj", out _) => GlmrtDType.Mxfp4,
        Fp8QuantizationConfig fp8 when fp8.ExpectsQuantized("model.layers.0.mlp.experts.0.gate_proj", out _) => GlmrtDType.Fp8Block,
        _ => GlmrtDType.BF16,
    };

    /// <summary>The grouped-MoE shape key of <paramref name="config"/> ("mxfp4 d6144 i2048 e256 k8"), or null without routed experts.</summary>
    public static string? MoeShape(GlmConfig config) => config.NRoutedExperts <= 0 ? null
        : KernelConfigTable.MoeShape(ExpertDType(config), config.HiddenSize, config.MoeIntermediateSize, config.NRoutedExperts, config.NumExpertsPerTok);

    /// <summary>The model's keys on <paramref name="architecture"/> that <paramref name="table"/> has no row for.</summary>
    public static IEnumerable<GlmUntunedKernel> MissingFrom(KernelConfigTable table, string architecture, GlmConfig config)
    {
        if (MoeShape(config) is not { } shape)
            yield break;
        foreach (int bucket in Buckets)
        {
            if (!table.TryGet(new KernelConfigKey(architecture, KernelConfigTable.MoeOp, bucket, shape), out _))
                yield return new GlmUntunedKernel(architecture, KernelConfigTable.MoeOp, shape, bucket, 0);
        }
    }
}
