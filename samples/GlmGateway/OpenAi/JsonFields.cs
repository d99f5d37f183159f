using System.Text.Json;

namespace GlmGateway.OpenAi;

/// <summary>Typed reads of a request's JSON fields; a field of the wrong type or range is a 400 naming it.</summary>
internal readonly struct JsonFields(JsonElement element, string path)
{
    public JsonElement Element { get; } = element;

    public string Path { get; } = path;

    /// <summary>The field, or null when it is absent or JSON null.</summary>
    public JsonElement? Get(string name) =>
        Element.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string Name(string field) => Path.Length == 0 ? field : $"{Path}.{field}";

    public string? String(string name)
    {
        if (Get(name) is not { } value)
            return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Wrong(name, "a string", value);
    }

    public bool? Bool(string name)
    {
        if (Get(name) is not { } value)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(name, "a boolean", value),
        };
    }

    public double? Number(string name, double min, double max)
    {
        if (Get(name) is not { } value)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number))
            throw Wrong(name, "a number", value);
        if (number < min || number > max)
            throw OpenAiException.BadField(Name(name), $"'{Name(name)}' must be between {min} and {max}; it is {number}.");
        return number;
    }

    public long? Integer(string name, long min, long max)
    {
        if (Get(name) is not { } value)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
            throw Wrong(name, "an integer", value);
        if (number < min || number > max)
            throw OpenAiException.BadField(Name(name), $"'{Name(name)}' must be between {min} and {max}; it is {number}.");
        return number;
    }

    public JsonFields Object(string name, JsonElement value) =>
        value.ValueKind == JsonValueKind.Object ? new JsonFields(value, Name(name)) : throw Wrong(name, "an object", value);

    public OpenAiException Wrong(string name, string expected, JsonElement value) =>
        OpenAiException.BadField(Name(name), $"'{Name(name)}' must be {expected}; it is {Describe(value)}.");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
