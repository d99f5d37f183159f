using System.Text.Json;

namespace GlmRuntime.Configuration;

/// <summary>Typed access to a JSON object's keys that reports the file and key path on any problem.</summary>
internal readonly struct JsonConfigReader(JsonElement obj, string file, string prefix = "")
{
    public string File => file;

    public JsonElement Element => obj;

    public bool Has(string key) => obj.TryGetProperty(key, out JsonElement v) && v.ValueKind != JsonValueKind.Null;

    public string Path(string key) => prefix + key;

    public ConfigException Error(string key, string problem) => new(file, Path(key), problem);

    public int RequiredInt(string key, int min = 1) =>
        OptionalInt(key, min) ?? throw Error(key, "is required");

    public int Int(string key, int fallback, int min = 0) => OptionalInt(key, min) ?? fallback;

    public int? OptionalInt(string key, int min = 0)
    {
        if (!obj.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int value))
            throw Error(key, $"must be an integer, got {Describe(v)}");
        if (value < min)
            throw Error(key, $"must be ≥ {min}, got {value}");
        return value;
    }

    public double RequiredDouble(string key) => OptionalDouble(key) ?? throw Error(key, "is required");

    public double Double(string key, double fallback) => OptionalDouble(key) ?? fallback;

    public double? OptionalDouble(string key)
    {
        if (!obj.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double value) || !double.IsFinite(value))
            throw Error(key, $"must be a finite number, got {Describe(v)}");
        return value;
    }

    public bool Bool(string key, bool fallback)
    {
        if (!obj.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(key, $"must be true or false, got {Describe(v)}"),
        };
    }

    public string? OptionalString(string key)
    {
        if (!obj.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Error(key, $"must be a string, got {Describe(v)}");
    }

    public string String(string key, string fallback) => OptionalString(key) ?? fallback;

    /// <summary>An integer or a list of integers (eos_token_id accepts both).</summary>
    public int[] IntOrIntList(string key)
    {
        if (!obj.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            return [];
        if (v.ValueKind == JsonValueKind.Number)
            return [OptionalInt(key)!.Value];
        if (v.ValueKind != JsonValueKind.Array)
            throw Error(key, $"must be an integer or a list of integers, got {Describe(v)}");
        var list = new List<int>();
        int i = 0;
        foreach (JsonElement item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id) || id < 0)
                throw Error($"{key}[{i}]", $"must be a non-negative integer, got {Describe(item)}");
            list.Add(id);
            i++;
        }
        return [.. list];
    }

    public IReadOnlyList<string>? OptionalStringList(string key)
    {
        if (!obj.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Array)
            throw Error(key, $"must be a list of strings, got {Describe(v)}");
        var list = new List<string>();
        int i = 0;
        foreach (JsonElement item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw Error($"{key}[{i}]", $"must be a string, got {Describe(item)}");
            list.Add(item.GetString()!);
            i++;
        }
        return list;
    }

    public JsonConfigReader? Object(string key)
    {
        if (!obj.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Object)
            throw Error(key, $"must be an object, got {Describe(v)}");
        return new JsonConfigReader(v, file, prefix + key + ".");
    }

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{v.GetString()}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        _ => v.GetRawText(),
    };
}
