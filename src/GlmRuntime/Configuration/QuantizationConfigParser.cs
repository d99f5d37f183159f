namespace GlmRuntime.Configuration;

/// <summary>Reads <c>quantization_config</c> into one of the <see cref="QuantizationConfig"/> records.</summary>
internal static class QuantizationConfigParser
{
    public static QuantizationConfig? Read(JsonConfigReader root)
    {
        if (root.Object("quantization_config") is not { } q)
            return null;
        string method = q.OptionalString("quant_method") ?? throw q.Error("quant_method", "is required");
        return method switch
        {
            "fp8" => ReadFp8(q),
            "quark" => ReadQuark(q),
            _ => new UnknownQuantizationConfig(method),
        };
    }

    private static Fp8QuantizationConfig ReadFp8(JsonConfigReader q)
    {
        string format = q.String("fmt", "e4m3");
        if (format != "e4m3")
            throw q.Error("fmt", $"'{format}' is not supported (expected e4m3)");
        int blockN = 128, blockK = 128;
        if (q.Element.TryGetProperty("weight_block_size", out var block) && block.ValueKind != System.Text.Json.JsonValueKind.Null)
        {
            if (block.ValueKind != System.Text.Json.JsonValueKind.Array || block.GetArrayLength() != 2
                || !block[0].TryGetInt32(out blockN) || !block[1].TryGetInt32(out blockK) || blockN <= 0 || blockK <= 0)
                throw q.Error("weight_block_size", $"must be two positive integers, got {block.GetRawText()}");
        }
        return new Fp8QuantizationConfig(format, q.String("activation_scheme", "dynamic"), blockN, blockK,
            q.OptionalStringList("modules_to_not_convert") ?? q.OptionalStringList("ignored_layers") ?? []);
    }

    private static QuarkQuantizationConfig ReadQuark(JsonConfigReader q)
    {
        JsonConfigReader global = q.Object("global_quant_config") ?? throw q.Error("global_quant_config", "is required for quant_method 'quark'");
        JsonConfigReader weight = global.Object("weight") ?? throw global.Error("weight", "is required");
        var patterns = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (q.Object("layer_quant_config") is { } layers)
        {
            foreach (var p in layers.Element.EnumerateObject())
            {
                JsonConfigReader spec = layers.Object(p.Name)!.Value;
                patterns[p.Name] = spec.Object("weight")?.OptionalString("dtype");
            }
        }
        return new QuarkQuantizationConfig(
            weight.OptionalString("dtype") ?? throw weight.Error("dtype", "is required"),
            weight.String("qscheme", "per_group"),
            weight.Int("group_size", 32, min: 1),
            weight.String("scale_format", "e8m0"),
            global.Has("input_tensors"),
            q.OptionalStringList("exclude") ?? [],
            patterns);
    }
}
