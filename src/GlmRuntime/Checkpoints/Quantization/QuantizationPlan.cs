using System.Text.RegularExpressions;
using GlmRuntime.Tensors;

namespace GlmRuntime.Checkpoints.Quantization;

/// <summary>What happens to a source tensor.</summary>
internal enum TensorAction
{
    /// <summary>Written as it is (norms, embeddings, biases, excluded BF16 Linears).</summary>
    Copy,

    /// <summary>A Linear weight, quantized to the target format.</summary>
    Quantize,

    /// <summary>An excluded FP8 Linear: dequantized to BF16.</summary>
    ToBFloat16,

    /// <summary>An FP8 source's <c>weight_scale_inv</c>: consumed with its weight.</summary>
    Drop,
}

/// <summary>One source tensor and its action.</summary>
internal sealed record PlannedTensor(string Name, TensorAction Action, long SourceBytes, string? Fp8ScaleName = null);

/// <summary>
/// Which tensors of a checkpoint are Linear weights, which of them are quantized, and the modules left out, decided
/// from the checkpoint's own tensors (MXFP4.md §2a: per tensor, from the header).
/// </summary>
internal sealed class QuantizationPlan
{
    private QuantizationPlan(List<PlannedTensor> tensors, List<string> excluded, int quantized)
    {
        Tensors = tensors;
        ExcludedModules = excluded;
        QuantizedModuleCount = quantized;
    }

    /// <summary>Every source tensor in checkpoint order (shard by shard).</summary>
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    /// <summary>Linear modules left unquantized, in checkpoint order: the config's exclusion list.</summary>
    public IReadOnlyList<string> ExcludedModules { get; }

    public int QuantizedModuleCount { get; }

    /// <exception cref="CheckpointException">A tensor is already quantized, or an FP8 weight lacks its scales.</exception>
    /// <exception cref="ArgumentException">An exclusion pattern is not a valid regular expression.</exception>
    public static QuantizationPlan Create(Checkpoint checkpoint, int mainLayers, QuantizeOptions options)
    {
        var patterns = options.Exclude.Select(ToRegex).ToList();
        var names = checkpoint.Files.SelectMany(f => f.Tensors.Keys.Order(StringComparer.Ordinal)).ToList();
        var tensors = new List<PlannedTensor>(names.Count);
        var excluded = new List<string>();
        int quantized = 0;
        foreach (string name in names)
        {
            TensorInfo info = checkpoint.GetInfo(name);
            if (name.EndsWith(".weight_scale", StringComparison.Ordinal) || info.DType == DType.U8)
                throw new CheckpointException($"Tensor '{name}' is already MXFP4 ({info.DType} {info.ShapeText}); quantize the BF16 or FP8 release instead.");
            if (name.EndsWith(".weight_scale_inv", StringComparison.Ordinal))
            {
                tensors.Add(new PlannedTensor(name, TensorAction.Drop, info.ByteLength));
                continue;
            }
            if (!IsLinearWeight(name, info))
            {
                if (info.DType == DType.F8E4M3)
                    throw new CheckpointException($"Tensor '{name}' is FP8 {info.ShapeText} but not a Linear weight; it cannot be re-quantized.");
                tensors.Add(new PlannedTensor(name, TensorAction.Copy, info.ByteLength));
                continue;
            }

            string module = name[..^".weight".Length];
            string? scaleName = null;
            if (info.DType == DType.F8E4M3)
            {
                if (options.Format == QuantizationFormat.Fp8)
                    throw new CheckpointException($"Tensor '{name}' is already FP8; there is nothing to convert to FP8.");
                scaleName = module + ".weight_scale_inv";
                if (!checkpoint.Contains(scaleName))
                    throw new CheckpointException($"FP8 weight '{name}' has no '{scaleName}' beside it.");
            }
            else if (!DTypes.IsDenseFloat(info.DType))
            {
                throw new CheckpointException($"Tensor '{name}' is {info.DType}; only BF16, F16, F32 and FP8 weights can be quantized.");
            }

            bool leaveOut = (options.DefaultExclusions && IsExcludedByDefault(module, mainLayers, options.Format))
                || patterns.Any(p => p.IsMatch(module));
            if (leaveOut)
            {
                excluded.Add(module);
                tensors.Add(new PlannedTensor(name, scaleName is null ? TensorAction.Copy : TensorAction.ToBFloat16, info.ByteLength, scaleName));
            }
            else
            {
                if (options.RequireWholeBlocks && options.Format == QuantizationFormat.Mxfp4 && info.Shape[1] % 32 != 0)
                    throw new CheckpointException(
                        $"Tensor '{name}' {info.ShapeText} has K = {info.Shape[1]}, not a multiple of 32, and whole MXFP4 blocks were required; exclude '{module}' or allow partial blocks.");
                quantized++;
                tensors.Add(new PlannedTensor(name, TensorAction.Quantize, info.ByteLength, scaleName));
            }
        }
        return new QuantizationPlan(tensors, excluded, quantized);
    }

    /// <summary>A Linear weight: a two-dimensional <c>*.weight</c> that is not an embedding table.</summary>
    private static bool IsLinearWeight(string name, TensorInfo info) =>
        name.EndsWith(".weight", StringComparison.Ordinal) && info.Shape.Length == 2 && !name.EndsWith("embed_tokens.weight", StringComparison.Ordinal);

    /// <summary>What GLM-5's MXFP4 release (and, without the MTP rule, GLM-5-FP8) leaves in BF16.</summary>
    private static bool IsExcludedByDefault(string module, int mainLayers, QuantizationFormat format)
    {
        if (module == "lm_head" || module.EndsWith(".mlp.gate", StringComparison.Ordinal) || module.EndsWith(".indexer.weights_proj", StringComparison.Ordinal))
            return true;
        if (format == QuantizationFormat.Fp8)
            return module.EndsWith(".eh_proj", StringComparison.Ordinal);
        return LayerOf(module) >= mainLayers; // the MTP layer(s) sit after the main layers
    }

    private static int LayerOf(string module)
    {
        const string prefix = "model.layers.";
        if (!module.StartsWith(prefix, StringComparison.Ordinal))
            return -1;
        int end = module.IndexOf('.', prefix.Length);
        return int.TryParse(module.AsSpan(prefix.Length, (end < 0 ? module.Length : end) - prefix.Length), out int layer) ? layer : -1;
    }

    /// <summary>A module name, a shell pattern (<c>*</c>, <c>?</c>) or <c>re:REGEX</c>, as an anchored regular expression.</summary>
    private static Regex ToRegex(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern, nameof(QuantizeOptions.Exclude));
        try
        {
            if (pattern.StartsWith("re:", StringComparison.Ordinal))
                return new Regex("^(?:" + pattern[3..] + ")$", RegexOptions.CultureInvariant);
            string escaped = Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".");
            return new Regex("^" + escaped + "$", RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Exclusion pattern '{pattern}' is not a valid regular expression: {e.Message}", nameof(QuantizeOptions.Exclude), e);
        }
    }
}
