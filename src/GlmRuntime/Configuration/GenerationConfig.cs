using System.Text.Json;

namespace GlmRuntime.Configuration;

/// <summary>The sampling defaults and eos ids of a checkpoint's generation_config.json (all optional).</summary>
internal sealed record GenerationConfig(double? Temperature, double? TopP, int? TopK, IReadOnlyList<int> EosTokenIds)
{
    public const string FileName = "generation_config.json";

    public static GenerationConfig Empty { get; } = new(null, null, null, []);

    /// <summary>Reads the folder's generation_config.json, or <see cref="Empty"/> when there is none.</summary>
    /// <exception cref="ConfigException">The file is not valid JSON or a field has the wrong type.</exception>
    public static GenerationConfig Load(string modelDirectory)
    {
        string file = Path.Combine(modelDirectory, FileName);
        if (!File.Exists(file))
            return Empty;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            bool sample = !root.TryGetProperty("do_sample", out var doSample) || doSample.ValueKind != JsonValueKind.False;
            return new GenerationConfig(
                sample ? Number(root, "temperature", file) : 0,
                Number(root, "top_p", file),
                (int?)Number(root, "top_k", file),
                EosIds(root, file));
        }
        catch (JsonException e)
        {
            throw new ConfigException(file, "(document)", $"not valid JSON: {e.Message}", e);
        }
    }

    private static double? Number(JsonElement root, string key, string file)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : throw new ConfigException(file, key, "must be a number");
    }

    private static IReadOnlyList<int> EosIds(JsonElement root, string file)
    {
        if (!root.TryGetProperty("eos_token_id", out var value))
            return [];
        return value.ValueKind switch
        {
            JsonValueKind.Number => [value.GetInt32()],
            JsonValueKind.Array => value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetInt32()
                : throw new ConfigException(file, "eos_token_id", "must hold integers")).ToArray(),
            JsonValueKind.Null => [],
            _ => throw new ConfigException(file, "eos_token_id", "must be an integer or a list of integers"),
        };
    }
}
