using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;
using GlmRuntime.Tensors;

namespace GlmRuntime.Weights;

/// <summary>
/// Decides each matrix's format from the checkpoint itself: a U8 <c>weight</c> with a U8
/// <c>weight_scale</c> sibling is MXFP4, an F8_E4M3 <c>weight</c> with an F32 <c>weight_scale_inv</c>
/// sibling is FP8 block-scaled, a BF16/F16/F32 <c>weight</c> is dense. The quantization config is only a
/// cross-check: names in it may follow another runtime's module prefixes (sglang's <c>model.decoder.*</c>
/// for the MTP layer), so a lookup miss must never turn a BF16 tensor into a packed one.
/// </summary>
internal static class LinearWeightResolver
{
    /// <summary>
    /// Resolves module <paramref name="module"/> as an [n, k] matrix; null when its weight tensor is absent.
    /// </summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="module">Module name, e.g. "model.layers.0.self_attn.q_a_proj".</param>
    /// <param name="n">Expected output features.</param>
    /// <param name="k">Expected input features.</param>
    /// <param name="config">The model config (its quantization_config is the cross-check).</param>
    /// <param name="isLinearModule">False for the embedding: quantization configs only describe Linear modules.</param>
    /// <param name="disagreements">Receives config/checkpoint disagreements that the checkpoint resolves.</param>
    /// <exception cref="CheckpointException">The tensors cannot form an [n, k] matrix in any format.</exception>
    public static LinearWeight? Resolve(Checkpoint checkpoint, string module, int n, int k, GlmConfig config, bool isLinearModule, List<FormatDisagreement> disagreements)
    {
        string weightName = module + ".weight";
        if (!checkpoint.TryGet(weightName, out SafetensorsFile file, out TensorInfo info))
            return null;

        QuantizationConfig? q = config.Quantization;
        string rule = "no quantization_config";
        bool configQuantized = isLinearModule && q is not null && q.ExpectsQuantized(module, out rule);
        string configExpects = !configQuantized ? $"dense {TensorInfo.ShapeToText([n, k])}" : q switch
        {
            QuarkQuantizationConfig => $"MXFP4 U8 {TensorInfo.ShapeToText([n, Mxfp4.PackedRowBytes(k)])} + weight_scale {TensorInfo.ShapeToText([n, Mxfp4.ScalesPerRow(k)])}",
            Fp8QuantizationConfig f => $"FP8 F8_E4M3 {TensorInfo.ShapeToText([n, k])} + weight_scale_inv {TensorInfo.ShapeToText([Fp8BlockQuantizer.TileCount(n, f.BlockN), Fp8BlockQuantizer.TileCount(k, f.BlockK)])}",
            _ => "a quantized format",
        };

        LinearWeight weight = info.DType switch
        {
            DType.BF16 or DType.F16 or DType.F32 => ResolveDense(module, n, k, file, info, rule, configExpects),
            DType.U8 => ResolveMxfp4(checkpoint, module, n, k, file, info, rule, configExpects),
            DType.F8E4M3 => ResolveFp8(checkpoint, module, n, k, file, info, config, rule, configExpects),
            _ => throw new CheckpointException($"dtype {DTypes.SafetensorsName(info.DType)} is not a supported weight format (BF16/F16/F32, MXFP4 U8 + weight_scale, FP8 F8_E4M3 + weight_scale_inv)", file.Path, weightName),
        };

        bool checkpointQuantized = weight.Format is WeightFormat.Mxfp4 or WeightFormat.Fp8Block;
        bool kindMismatch = checkpointQuantized && configQuantized &&
            (weight.Format == WeightFormat.Mxfp4) != (q is QuarkQuantizationConfig);
        if (isLinearModule && (checkpointQuantized != configQuantized || kindMismatch))
            disagreements.Add(new FormatDisagreement(module, rule, configExpects, Describe(weight)));
        return weight;
    }

    /// <summary>"MXFP4 U8 [a, b] + weight_scale [c, d]" and the like.</summary>
    public static string Describe(LinearWeight weight) => weight switch
    {
        Mxfp4LinearWeight m => $"MXFP4 U8 {m.Packed.Info.ShapeText} + weight_scale {m.Scales.Info.ShapeText}",
        Fp8BlockLinearWeight f => $"FP8 F8_E4M3 {f.Weight.Info.ShapeText} + weight_scale_inv {f.ScaleInv.Info.ShapeText}",
        DenseLinearWeight d => $"{DTypes.SafetensorsName(d.Weight.Info.DType)} {d.Weight.Info.ShapeText}",
        _ => weight.Format.ToString(),
    };

    private static DenseLinearWeight ResolveDense(string module, int n, int k, SafetensorsFile file, TensorInfo info, string rule, string configExpects)
    {
        if (!HasShape(info, n, k))
            throw ShapeError(file, info, $"dense {TensorInfo.ShapeToText([n, k])}", rule, configExpects);
        return new DenseLinearWeight(module, n, k, new TensorSlice(file, info));
    }

    private static Mxfp4LinearWeight ResolveMxfp4(Checkpoint checkpoint, string module, int n, int k, SafetensorsFile file, TensorInfo info, string rule, string configExpects)
    {
        string scaleName = module + ".weight_scale";
        if (!checkpoint.TryGet(scaleName, out SafetensorsFile scaleFile, out TensorInfo scale))
            throw new CheckpointException($"U8 weight {info.ShapeText} has no '{scaleName}' sibling, so it is neither MXFP4 nor a float matrix; {rule} implies {configExpects}", file.Path, info.Name);
        if (scale.DType != DType.U8)
            throw new CheckpointException($"MXFP4 scales must be U8 E8M0 bytes, found {DTypes.SafetensorsName(scale.DType)} {scale.ShapeText}", scaleFile.Path, scaleName);
        string expected = $"MXFP4 U8 {TensorInfo.ShapeToText([n, Mxfp4.PackedRowBytes(k)])} + weight_scale {TensorInfo.ShapeToText([n, Mxfp4.ScalesPerRow(k)])} for [{n}, {k}]";
        if (!HasShape(info, n, Mxfp4.PackedRowBytes(k)) || !HasShape(scale, n, Mxfp4.ScalesPerRow(k)))
            throw new CheckpointException(
                $"holds U8 {info.ShapeText} + weight_scale {scale.ShapeText}, but the model needs {expected}; {rule} implies {configExpects}", file.Path, info.Name);
        return new Mxfp4LinearWeight(module, n, k, new TensorSlice(file, info), new TensorSlice(scaleFile, scale));
    }

    private static Fp8BlockLinearWeight ResolveFp8(Checkpoint checkpoint, string module, int n, int k, SafetensorsFile file, TensorInfo info, GlmConfig config, string rule, string configExpects)
    {
        string scaleName = module + ".weight_scale_inv";
        if (!checkpoint.TryGet(scaleName, out SafetensorsFile scaleFile, out TensorInfo scale))
            throw new CheckpointException($"F8_E4M3 weight {info.ShapeText} has no '{scaleName}' sibling (per-tensor FP8 is not supported); {rule} implies {configExpects}", file.Path, info.Name);
        if (scale.DType != DType.F32 || scale.Shape.Length != 2)
            throw new CheckpointException($"weight_scale_inv must be a 2-D F32 tile grid, found {DTypes.SafetensorsName(scale.DType)} {scale.ShapeText}", scaleFile.Path, scaleName);
        if (!HasShape(info, n, k))
            throw ShapeError(file, info, $"FP8 F8_E4M3 {TensorInfo.ShapeToText([n, k])}", rule, configExpects);
        (int blockN, int blockK) = config.Quantization is Fp8QuantizationConfig f ? (f.BlockN, f.BlockK) : (128, 128);
        if (!HasShape(scale, Fp8BlockQuantizer.TileCount(n, blockN), Fp8BlockQuantizer.TileCount(k, blockK)))
            throw new CheckpointException(
                $"weight_scale_inv is {scale.ShapeText}, but [{n}, {k}] in [{blockN}, {blockK}] tiles needs {TensorInfo.ShapeToText([Fp8BlockQuantizer.TileCount(n, blockN), Fp8BlockQuantizer.TileCount(k, blockK)])}",
                scaleFile.Path, scaleName);
        return new Fp8BlockLinearWeight(module, n, k, new TensorSlice(file, info), new TensorSlice(scaleFile, scale), blockN, blockK);
    }

    private static bool HasShape(TensorInfo info, long rows, long cols) =>
        info.Shape.Length == 2 && info.Shape[0] == rows && info.Shape[1] == cols;

    private static CheckpointException ShapeError(SafetensorsFile file, TensorInfo info, string needed, string rule, string configExpects) =>
        new($"holds {DTypes.SafetensorsName(info.DType)} {info.ShapeText}, but the model needs {needed}; {rule} implies {configExpects}", file.Path, info.Name);
}
