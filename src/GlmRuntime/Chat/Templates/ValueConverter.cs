using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Converts caller values into engine values. JSON objects keep their key order (tojson and
/// <c>items()</c> depend on it); JSON numbers written without fraction or exponent become long, others double.
/// </summary>
internal static class ValueConverter
{
    public static object? FromDotNet(object? value, int depth = 0)
    {
        if (depth > TemplateLimits.Default.MaxValueDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new ArgumentException($"Template variables are nested more than {TemplateLimits.Default.MaxValueDepth} levels deep (or contain a cycle).");
        switch (value)
        {
            case null:
                return null;
            case string or bool or long or double or Undefined or JinjaDict or JinjaNamespace or JinjaCallable:
                return value;
            case int or short or sbyte or byte or ushort or uint:
                return Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            case ulong u:
                return u <= long.MaxValue ? (long)u : (double)u;
            case float f:
                return (double)f;
            case decimal m:
                return (double)m;
            case char c:
                return c.ToString();
            case JsonElement element:
                return FromJson(element, depth);
            case JsonNode node:
                return FromJsonNode(node, depth);
            case IDictionary<string, object?> dict:
                return ToDict(dict, depth);
            case IReadOnlyDictionary<string, object?> dict:
                return ToDict(dict, depth);
            case IDictionary dict:
                var result = new JinjaDict();
                foreach (DictionaryEntry entry in dict)
                    result[FromDotNet(entry.Key, depth + 1) ?? throw new ArgumentException("Template dictionaries cannot have null keys.")] = FromDotNet(entry.Value, depth + 1);
                return result;
            case IEnumerable sequence:
                // Caller arrays become lists: engine tuples (object?[]) are only built by templates.
                var list = new List<object?>();
                foreach (object? item in sequence)
                    list.Add(FromDotNet(item, depth + 1));
                return list;
            default:
                throw new ArgumentException($"Template variables cannot hold values of type {value.GetType().FullName}.");
        }
    }

    private static JinjaDict ToDict(IEnumerable<KeyValuePair<string, object?>> entries, int depth)
    {
        var dict = new JinjaDict();
        foreach (var (key, item) in entries)
            dict[key] = FromDotNet(item, depth + 1);
        return dict;
    }

    public static object? FromJson(JsonElement element, int depth = 0)
    {
        if (depth > TemplateLimits.Default.MaxValueDepth)
            throw new ArgumentException($"Template variables are nested more than {TemplateLimits.Default.MaxValueDepth} levels deep.");
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var dict = new JinjaDict();
                foreach (JsonProperty property in element.EnumerateObject())
                    dict[property.Name] = FromJson(property.Value, depth + 1);
                return dict;
            case JsonValueKind.Array:
                var list = new List<object?>(element.GetArrayLength());
                foreach (JsonElement item in element.EnumerateArray())
                    list.Add(FromJson(item, depth + 1));
                return list;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return FromJsonNumber(element);
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    private static object FromJsonNumber(JsonElement element)
    {
        string raw = element.GetRawText();
        bool integral = raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
        if (integral && element.TryGetInt64(out long l))
            return l;
        return element.GetDouble();
    }

    public static object? FromJsonNode(JsonNode? node, int depth = 0)
    {
        if (depth > TemplateLimits.Default.MaxValueDepth)
            throw new ArgumentException($"Template variables are nested more than {TemplateLimits.Default.MaxValueDepth} levels deep.");
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var dict = new JinjaDict();
                foreach (var (key, item) in obj)
                    dict[key] = FromJsonNode(item, depth + 1);
                return dict;
            case JsonArray array:
                var list = new List<object?>(array.Count);
                foreach (JsonNode? item in array)
                    list.Add(FromJsonNode(item, depth + 1));
                return list;
            case JsonValue value:
                if (value.TryGetValue(out JsonElement element))
                    return FromJson(element, depth);
                if (value.TryGetValue(out string? s))
                    return s;
                if (value.TryGetValue(out bool b))
                    return b;
                if (value.TryGetValue(out long l))
                    return l;
                if (value.TryGetValue(out double d))
                    return d;
                return FromJson(JsonSerializer.SerializeToElement(value), depth);
            default:
                throw new ArgumentException($"Unsupported JSON node type {node.GetType().Name}.");
        }
    }
}
