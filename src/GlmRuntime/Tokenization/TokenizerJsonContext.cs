using System.Text.Json;

namespace GlmRuntime.Tokenization;

/// <summary>
/// Reads fields of tokenizer JSON files and turns every problem into a <see cref="TokenizerException"/>
/// that names the file and the JSON path, e.g. <c>tokenizer.json: $.pre_tokenizer.pretokenizers[2]: ...</c>.
/// </summary>
internal sealed class TokenizerJsonContext(string sourceName)
{
    /// <summary>The file being read.</summary>
    public string SourceName { get; } = sourceName;

    /// <summary>An error about the element at <paramref name="path"/>.</summary>
    public TokenizerException Error(string path, string message, Exception? inner = null) =>
        new(SourceName, path, message, inner);

    /// <summary>The error for a component whose <c>type</c> this library does not implement.</summary>
    public TokenizerException Unsupported(string path, string kind, string type) =>
        Error(path, $"unsupported {kind} type '{type}'.");

    /// <summary>Child path of an object property.</summary>
    public static string Child(string path, string name) => path + "." + name;

    /// <summary>Child path of an array item.</summary>
    public static string Item(string path, int index) => $"{path}[{index}]";

    /// <summary>Requires <paramref name="element"/> to be an object.</summary>
    public void RequireObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Error(path, $"expected an object but found {element.ValueKind}.");
    }

    /// <summary>The <c>type</c> discriminator of a component object.</summary>
    public string TypeOf(JsonElement component, string path)
    {
        RequireObject(component, path);
        return GetString(component, path, "type");
    }

    /// <summary>A property that may be missing; null JSON counts as missing.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            return true;
        value = default;
        return false;
    }

    /// <summary>A required property of any kind.</summary>
    public JsonElement Get(JsonElement obj, string path, string name)
    {
        if (!TryGet(obj, name, out JsonElement value))
            throw Error(Child(path, name), "missing required field.");
        return value;
    }

    /// <summary>A required string property.</summary>
    public string GetString(JsonElement obj, string path, string name) =>
        AsString(Get(obj, path, name), Child(path, name));

    /// <summary>An optional string property.</summary>
    public string? GetOptionalString(JsonElement obj, string path, string name) =>
        TryGet(obj, name, out JsonElement value) ? AsString(value, Child(path, name)) : null;

    /// <summary>An optional boolean property.</summary>
    public bool GetBool(JsonElement obj, string path, string name, bool defaultValue)
    {
        if (!TryGet(obj, name, out JsonElement value))
            return defaultValue;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(Child(path, name), $"expected a boolean but found {value.ValueKind}."),
        };
    }

    /// <summary>An optional integer property.</summary>
    public int GetInt(JsonElement obj, string path, string name, int defaultValue)
    {
        if (!TryGet(obj, name, out JsonElement value))
            return defaultValue;
        return AsInt(value, Child(path, name));
    }

    /// <summary>A required array property.</summary>
    public JsonElement GetArray(JsonElement obj, string path, string name)
    {
        JsonElement value = Get(obj, path, name);
        if (value.ValueKind != JsonValueKind.Array)
            throw Error(Child(path, name), $"expected an array but found {value.ValueKind}.");
        return value;
    }

    /// <summary>A string value.</summary>
    public string AsString(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Error(path, $"expected a string but found {value.ValueKind}.");

    /// <summary>A 32-bit integer value.</summary>
    public int AsInt(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result)
            ? result
            : throw Error(path, $"expected a 32-bit integer but found {value.ValueKind} '{value.GetRawText()}'.");

    /// <summary>Parses a whole document, naming the file when the JSON is malformed.</summary>
    public JsonDocument Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));

    /// <summary>Parses a whole UTF-8 document, naming the file when the JSON is malformed.</summary>
    public JsonDocument Parse(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            // Strict like serde_json (no comments or trailing commas), except that a UTF-8 BOM is tolerated.
            if (utf8Json.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                utf8Json = utf8Json[3..];
            return JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new TokenizerException(SourceName, null, $"malformed JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {ex.Message}", ex);
        }
    }
}
