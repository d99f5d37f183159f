using System.Text.Json;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.Decoders;

/// <summary>Builds a <see cref="TokenDecoder"/> from tokenizer.json's <c>decoder</c> section.</summary>
internal static class DecoderFactory
{
    /// <summary>Returns null for a JSON null (tokens are then joined with spaces).</summary>
    /// <exception cref="TokenizerException">The type is unknown or a field is malformed.</exception>
    public static TokenDecoder? Create(TokenizerJsonContext context, JsonElement element, string path)
    {
        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        string type = context.TypeOf(element, path);
        switch (type)
        {
            case "ByteLevel":
                return new ByteLevelDecoder();
            case "Sequence":
                JsonElement items = context.GetArray(element, path, "decoders");
                string itemsPath = TokenizerJsonContext.Child(path, "decoders");
                var children = new List<TokenDecoder>();
                foreach (JsonElement item in items.EnumerateArray())
                {
                    string itemPath = TokenizerJsonContext.Item(itemsPath, children.Count);
                    children.Add(Create(context, item, itemPath) ?? throw context.Error(itemPath, "null decoder in a sequence."));
                }
                return new SequenceDecoder(children);
            case "Replace":
                (string? literal, CodePointRegex? regex) = PatternReader.Read(context, element, path);
                return new ReplaceDecoder(literal, regex, context.GetString(element, path, "content"));
            case "ByteFallback":
                return new ByteFallbackDecoder();
            case "Fuse":
                return new FuseDecoder();
            case "Strip":
                string content = context.GetString(element, path, "content");
                if (content.Length != 1)
                    throw context.Error(TokenizerJsonContext.Child(path, "content"), "expected exactly one character.");
                return new StripDecoder(content[0], context.GetInt(element, path, "start", 0), context.GetInt(element, path, "stop", 0));
            case "Metaspace":
                string replacement = context.GetString(element, path, "replacement");
                if (replacement.Length != 1)
                    throw context.Error(TokenizerJsonContext.Child(path, "replacement"), "expected exactly one BMP character.");
                string? scheme = context.GetOptionalString(element, path, "prepend_scheme");
                bool strip = scheme is null ? context.GetBool(element, path, "add_prefix_space", true) : scheme != "never";
                return new MetaspaceDecoder(replacement[0], strip);
            case "BPEDecoder":
                return new BpeSuffixDecoder(context.GetOptionalString(element, path, "suffix") ?? "</w>");
            default:
                throw context.Unsupported(path, "decoder", type);
        }
    }
}
