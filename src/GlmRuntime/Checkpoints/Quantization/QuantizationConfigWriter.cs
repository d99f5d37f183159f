using System.Text.Json;

namespace GlmRuntime.Checkpoints.Quantization;

/// <summary>
/// config.json's <c>quantization_config</c> as the releases write it: AMD Quark's MXFP4 export (MXFP4.md §2a) and
/// GLM-5-FP8's block-scaled FP8.
/// </summary>
internal static class QuantizationConfigWriter
{
    /// <summary>Quark: weights fp4 per_group 32 with e8m0 scales, "even" scale mode, round half to even, W4A16.</summary>
    /// <param name="w">Positioned where the object's value goes.</param>
    /// <param name="exclude">Checkpoint module names left unquantized.</param>
    public static void WriteQuark(Utf8JsonWriter w, IEnumerable<string> exclude)
    {
        w.WriteStartObject();
        w.WriteString("quant_method", "quark");
        w.WriteStartObject("global_quant_config");
        w.WriteStartObject("weight");
        w.WriteString("dtype", "fp4");
        w.WriteString("qscheme", "per_group");
        w.WriteNumber("group_size", 32);
        w.WriteNumber("ch_axis", -1);
        w.WriteString("scale_format", "e8m0");
        w.WriteString("scale_calculation_mode", "even");
        w.WriteString("round_method", "half_even");
        w.WriteString("scale_type", "float");
        w.WriteString("observer_cls", "PerBlockMXObserver");
        w.WriteBoolean("is_dynamic", false);
        w.WriteNull("symmetric");
        w.WriteEndObject();
        w.WriteNull("input_tensors");
        w.WriteNull("output_tensors");
        w.WriteNull("bias");
        w.WriteEndObject();
        w.WriteStartObject("layer_quant_config");
        w.WriteEndObject();
        w.WriteStartObject("layer_type_quant_config");
        w.WriteEndObject();
        w.WriteStartObject("kv_cache_quant_config");
        w.WriteEndObject();
        w.WriteStartArray("exclude");
        foreach (string module in exclude)
            w.WriteStringValue(module);
        w.WriteEndArray();
        w.WriteString("quant_mode", "eager_mode");
        w.WriteStartObject("export");
        w.WriteStartArray("kv_cache_group");
        w.WriteEndArray();
        w.WriteString("pack_method", "reorder"); // int4 only; fp4 packs plain pairs either way
        w.WriteString("weight_format", "real_quantized");
        w.WriteNumber("min_kv_scale", 0.0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>GLM-5-FP8: e4m3fn weights with one f32 <c>weight_scale_inv</c> per 128×128 tile, dynamic activations.</summary>
    /// <param name="w">Positioned where the object's value goes.</param>
    /// <param name="notConverted">Checkpoint module names left unquantized.</param>
    public static void WriteFp8(Utf8JsonWriter w, IEnumerable<string> notConverted)
    {
        w.WriteStartObject();
        w.WriteString("quant_method", "fp8");
        w.WriteString("fmt", "e4m3");
        w.WriteString("activation_scheme", "dynamic");
        w.WriteStartArray("weight_block_size");
        w.WriteNumberValue(128);
        w.WriteNumberValue(128);
        w.WriteEndArray();
        w.WriteStartArray("modules_to_not_convert");
        foreach (string module in notConverted)
            w.WriteStringValue(module);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
