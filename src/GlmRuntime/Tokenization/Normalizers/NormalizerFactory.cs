using System.Text;
using System.Text.Json;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>Builds a <see cref="Normalizer"/> from tokenizer.json's <c>normalizer</c> section.</summary>
internal static class NormalizerFactory
{
    /// <summary>Returns null for a JSON null or an empty Sequence, which normalise nothing.</summary>
    /// <exception cref="TokenizerException">The type is unknown or a field is malformed.</exception>
    public static Normalizer? Create(TokenizerJsonContext context, JsonElement element, string path)
    {
        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        Normalizer normalizer = CreateOne(context, element, path);
        return normalizer.IsIdentity ? null : normalizer;
    }

    private static Normalizer CreateOne(TokenizerJsonContext context, JsonElement element, string path)
    {
        string type = context.TypeOf(element, path);
        switch (type)
        {
            case "Sequence":
                JsonElement items = context.GetArray(element, path, "normalizers");
                string itemsPath = TokenizerJsonContext.Child(path, "normalizers");
                var children = new List<Normalizer>();
                int index = 0;
                foreach (JsonElement item in items.EnumerateArray())
                    children.Add(CreateOne(context, item, TokenizerJsonContext.Item(itemsPath, index++)));
                return new SequenceNormalizer(children);
            case "NFC":
                return new UnicodeFormNormalizer(NormalizationForm.FormC);
            case "NFD":
                return new UnicodeFormNormalizer(NormalizationForm.FormD);
            case "NFKC":
                return new UnicodeFormNormalizer(NormalizationForm.FormKC);
            case "NFKD":
                return new UnicodeFormNormalizer(NormalizationForm.FormKD);
            case "Lowercase":
                return new LowercaseNormalizer();
            case "StripAccents":
                return new StripAccentsNormalizer();
            case "Strip":
                return new StripNormalizer(
                    context.GetBool(element, path, "strip_left", true),
                    context.GetBool(element, path, "strip_right", true));
            case "Prepend":
                return new PrependNormalizer(context.GetString(element, path, "prepend"));
            case "Replace":
                (string? literal, CodePointRegex? regex) = PatternReader.Read(context, element, path);
                return new ReplaceNormalizer(literal, regex, context.GetString(element, path, "content"));
            default:
                throw context.Unsupported(path, "normalizer", type);
        }
    }
}
