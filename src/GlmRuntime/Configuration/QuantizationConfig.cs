namespace GlmRuntime.Configuration;

/// <summary>
/// The checkpoint's <c>quantization_config</c>. It is only a cross-check: each tensor's format is decided
/// from the safetensors headers themselves.
/// </summary>
/// <param name="Method">The <c>quant_method</c> value.</param>
public abstract record QuantizationConfig(string Method)
{
    /// <summary>
    /// True when the config says the Linear module <paramref name="moduleName"/> (a checkpoint name without
    /// ".weight") is quantized; <paramref name="rule"/> names the config entry that decided it.
    /// </summary>
    public abstract bool ExpectsQuantized(string moduleName, out string rule);
}

/// <summary>Block-scaled FP8 (GLM-5-FP8, DeepSeek-V3): <c>quant_method: "fp8"</c>.</summary>
/// <param name="Format">"e4m3".</param>
/// <param name="ActivationScheme">"dynamic" in GLM-5-FP8.</param>
/// <param name="BlockN">Tile rows (output features), 128.</param>
/// <param name="BlockK">Tile columns (input features), 128.</param>
/// <param name="ModulesToNotConvert">Modules kept in high precision, matched as transformers does (exact, prefix or suffix).</param>
public sealed record Fp8QuantizationConfig(string Format, string ActivationScheme, int BlockN, int BlockK, IReadOnlyList<string> ModulesToNotConvert)
    : QuantizationConfig("fp8")
{
    /// <inheritdoc />
    public override bool ExpectsQuantized(string moduleName, out string rule)
    {
        foreach (string entry in ModulesToNotConvert)
        {
            if (moduleName == entry || moduleName.StartsWith(entry + ".", StringComparison.Ordinal) || moduleName.EndsWith("." + entry, StringComparison.Ordinal))
            {
                rule = $"quantization_config.modules_to_not_convert entry '{entry}'";
                return false;
            }
        }
        rule = $"quantization_config (fp8 {Format}, block [{BlockN}, {BlockK}])";
        return true;
    }
}

/// <summary>AMD Quark export (<c>quant_method: "quark"</c>), here its MXFP4 weight scheme.</summary>
/// <param name="WeightDType">global_quant_config.weight.dtype ("fp4").</param>
/// <param name="QScheme">global_quant_config.weight.qscheme ("per_group").</param>
/// <param name="GroupSize">global_quant_config.weight.group_size (32).</param>
/// <param name="ScaleFormat">global_quant_config.weight.scale_format ("e8m0").</param>
/// <param name="QuantizesActivations">True when global_quant_config.input_tensors is set (W4A4); false for W4A16.</param>
/// <param name="Exclude">Excluded module names; entries starting with "re:" are regular expressions.</param>
/// <param name="LayerPatterns">layer_quant_config keys (fnmatch patterns) with their weight dtype.</param>
public sealed record QuarkQuantizationConfig(
    string WeightDType,
    string QScheme,
    int GroupSize,
    string ScaleFormat,
    bool QuantizesActivations,
    IReadOnlyList<string> Exclude,
    IReadOnlyDictionary<string, string?> LayerPatterns) : QuantizationConfig("quark")
{
    /// <summary>True when the weight scheme is OCP MXFP4 (fp4, per_group 32, e8m0).</summary>
    public bool IsMxfp4 => WeightDType == "fp4" && GroupSize == 32 && ScaleFormat == "e8m0";

    /// <inheritdoc />
    public override bool ExpectsQuantized(string moduleName, out string rule)
    {
        foreach (string entry in Exclude)
        {
            bool match = entry.StartsWith("re:", StringComparison.Ordinal)
                ? System.Text.RegularExpressions.Regex.IsMatch(moduleName, "^(?:" + entry[3..] + ")$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
                : moduleName == entry;
            if (match)
            {
                rule = $"quantization_config.exclude entry '{entry}'";
                return false;
            }
        }
        foreach (var (pattern, dtype) in LayerPatterns)
        {
            if (FnMatch(moduleName, pattern))
            {
                rule = $"quantization_config.layer_quant_config '{pattern}'";
                return dtype is not null;
            }
        }
        rule = $"quantization_config.global_quant_config.weight ({WeightDType}, {QScheme} {GroupSize}, {ScaleFormat})";
        return true;
    }

    /// <summary>Python fnmatch: '*' any run, '?' one character, '[...]' a class.</summary>
    internal static bool FnMatch(string name, string pattern)
    {
        var regex = new System.Text.StringBuilder("^");
        foreach (char c in pattern)
        {
            regex.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                '[' => "[",
                ']' => "]",
                _ => System.Text.RegularExpressions.Regex.Escape(c.ToString()),
            });
        }
        regex.Append('$');
        return System.Text.RegularExpressions.Regex.IsMatch(name, regex.ToString(), System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}

/// <summary>A <c>quant_method</c> this runtime does not interpret; tensors are still decided from their dtypes.</summary>
/// <param name="Method">The method name.</param>
public sealed record UnknownQuantizationConfig(string Method) : QuantizationConfig(Method)
{
    /// <inheritdoc />
    public override bool ExpectsQuantized(string moduleName, out string rule)
    {
        rule = $"quantization_config.quant_method '{Method}' (not interpreted)";
        return false;
    }
}
