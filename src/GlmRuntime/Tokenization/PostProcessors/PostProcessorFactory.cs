using System.Text.Json;

namespace GlmRuntime.Tokenization.PostProcessors;

/// <summary>Builds a <see cref="PostProcessor"/> from tokenizer.json's <c>post_processor</c> section.</summary>
internal static class PostProcessorFactory
{
    /// <summary>Returns null when nothing is added to single sequences (JSON null, ByteLevel).</summary>
    /// <exception cref="TokenizerException">The type is unknown or a field is malformed.</exception>
    public static PostProcessor? Create(TokenizerJsonContext context, JsonElement element, string path)
    {
        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        string type = context.TypeOf(element, path);
        switch (type)
        {
            case "ByteLevel":
                return null; // Only adjusts offsets, which this library does not report.
            case "TemplateProcessing":
                return CreateTemplate(context, element, path);
            case "BertProcessing" or "RobertaProcessing":
                return new TemplatePostProcessor([ReadIdPair(context, element, path, "cls"), null, ReadIdPair(context, element, path, "sep")]);
            case "Sequence":
                JsonElement items = context.GetArray(element, path, "processors");
                string itemsPath = TokenizerJsonContext.Child(path, "processors");
                var children = new List<PostProcessor>();
                int index = 0;
                foreach (JsonElement item in items.EnumerateArray())
                {
                    PostProcessor? child = Create(context, item, TokenizerJsonContext.Item(itemsPath, index++));
                    if (child is not null)
                        children.Add(child);
                }
                return children.Count == 0 ? null : new SequencePostProcessor(children);
            default:
                throw context.Unsupported(path, "post_processor", type);
        }
    }

    private static TemplatePostProcessor CreateTemplate(TokenizerJsonContext context, JsonElement element, string path)
    {
        Dictionary<string, int[]> specials = ReadSpecialTokens(context, element, path);
        JsonElement single = context.Get(element, path, "single");
        string singlePath = TokenizerJsonContext.Child(path, "single");
        var items = new List<int[]?>();
        if (single.ValueKind == JsonValueKind.String)
        {
            foreach (string piece in single.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                items.Add(ResolveStringPiece(context, singlePath, piece, specials));
            return new TemplatePostProcessor(items);
        }
        if (single.ValueKind != JsonValueKind.Array)
            throw context.Error(singlePath, $"expected an array or a string but found {single.ValueKind}.");
        int index = 0;
        foreach (JsonElement item in single.EnumerateArray())
        {
            string itemPath = TokenizerJsonContext.Item(singlePath, index++);
            if (TokenizerJsonContext.TryGet(item, "Sequence", out JsonElement sequence))
            {
                string id = context.GetString(sequence, itemPath + ".Sequence", "id");
                if (id != "A")
                    throw context.Error(itemPath, $"the single-sequence template refers to sequence '{id}'.");
                items.Add(null);
            }
            else if (TokenizerJsonContext.TryGet(item, "SpecialToken", out JsonElement special))
            {
                string name = context.GetString(special, itemPath + ".SpecialToken", "id");
                items.Add(specials.TryGetValue(name, out int[]? ids)
                    ? ids
                    : throw context.Error(itemPath, $"special token '{name}' is missing from special_tokens."));
            }
            else
            {
                throw context.Error(itemPath, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}.");
            }
        }
        return new TemplatePostProcessor(items);
    }

    private static int[]? ResolveStringPiece(TokenizerJsonContext context, string path, string piece, Dictionary<string, int[]> specials)
    {
        int colon = piece.LastIndexOf(':');
        string name = colon > 0 ? piece[..colon] : piece;
        if (name.StartsWith('$'))
        {
            return name is "$" or "$A" or "$a" or "$0"
                ? null
                : throw context.Error(path, $"the single-sequence template refers to sequence '{name}'.");
        }
        return specials.TryGetValue(name, out int[]? ids)
            ? ids
            : throw context.Error(path, $"special token '{name}' is missing from special_tokens.");
    }

    private static Dictionary<string, int[]> ReadSpecialTokens(TokenizerJsonContext context, JsonElement element, string path)
    {
        var specials = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (!TokenizerJsonContext.TryGet(element, "special_tokens", out JsonElement map))
            return specials;
        string mapPath = TokenizerJsonContext.Child(path, "special_tokens");
        context.RequireObject(map, mapPath);
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            string entryPath = TokenizerJsonContext.Child(mapPath, entry.Name);
            JsonElement ids = context.GetArray(entry.Value, entryPath, "ids");
            var list = new List<int>();
            int index = 0;
            foreach (JsonElement id in ids.EnumerateArray())
                list.Add(context.AsInt(id, TokenizerJsonContext.Item(entryPath + ".ids", index++)));
            specials[context.GetOptionalString(entry.Value, entryPath, "id") ?? entry.Name] = list.ToArray();
        }
        return specials;
    }

    private static int[] ReadIdPair(TokenizerJsonContext context, JsonElement element, string path, string name)
    {
        JsonElement pair = context.GetArray(element, path, name);
        string pairPath = TokenizerJsonContext.Child(path, name);
        if (pair.GetArrayLength() != 2)
            throw context.Error(pairPath, "expected [token, id].");
        return [context.AsInt(pair[1], pairPath + "[1]")];
    }
}
