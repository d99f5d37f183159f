using System.Text;
using System.Text.Json;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>Builds a <see cref="PreTokenizer"/> from tokenizer.json's <c>pre_tokenizer</c> section.</summary>
internal static class PreTokenizerFactory
{
    /// <summary>Returns null for a JSON null.</summary>
    /// <exception cref="TokenizerException">The type is unknown or a field is malformed.</exception>
    public static PreTokenizer? Create(TokenizerJsonContext context, JsonElement element, string path)
    {
        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        return CreateOne(context, element, path, isLast: true);
    }

    /// <param name="context">The file being read.</param>
    /// <param name="element">The component.</param>
    /// <param name="path">Its JSON path.</param>
    /// <param name="isLast">Nothing runs after this component, so a ByteLevel step may leave its mapping to the model.</param>
    private static PreTokenizer CreateOne(TokenizerJsonContext context, JsonElement element, string path, bool isLast)
    {
        string type = context.TypeOf(element, path);
        switch (type)
        {
            case "Sequence":
                JsonElement items = context.GetArray(element, path, "pretokenizers");
                string itemsPath = TokenizerJsonContext.Child(path, "pretokenizers");
                int count = items.GetArrayLength();
                var children = new List<PreTokenizer>(count);
                foreach (JsonElement item in items.EnumerateArray())
                    children.Add(CreateOne(context, item, TokenizerJsonContext.Item(itemsPath, children.Count), isLast && children.Count == count - 1));
                return new SequencePreTokenizer(children);
            case "Split":
                (string? literal, CodePointRegex? regex) = PatternReader.Read(context, element, path);
                return new SplitPreTokenizer(literal, regex, ReadBehavior(context, element, path, null), context.GetBool(element, path, "invert", false));
            case "ByteLevel":
                return new ByteLevelPreTokenizer(
                    context.GetBool(element, path, "add_prefix_space", true),
                    context.GetBool(element, path, "use_regex", true),
                    emitMappedText: !isLast);
            case "Digits":
                bool individual = context.GetBool(element, path, "individual_digits", false);
                return new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsNumeric, individual ? SplitBehavior.Isolated : SplitBehavior.Contiguous);
            case "Whitespace":
                return new SplitPreTokenizer(null, new CodePointRegex(@"\w+|[^\w\s]+"), SplitBehavior.Removed, invert: true);
            case "WhitespaceSplit":
                return new CharPredicatePreTokenizer(Rune.IsWhiteSpace, SplitBehavior.Removed);
            case "Punctuation":
                return new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsPunctuation, ReadBehavior(context, element, path, SplitBehavior.Isolated));
            case "BertPreTokenizer":
                return new SequencePreTokenizer(
                [
                    new CharPredicatePreTokenizer(Rune.IsWhiteSpace, SplitBehavior.Removed),
                    new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsPunctuation, SplitBehavior.Isolated),
                ]);
            case "CharDelimiterSplit":
                Rune delimiter = ReadSingleChar(context, element, path, "delimiter");
                return new CharPredicatePreTokenizer(r => r == delimiter, SplitBehavior.Removed);
            case "Metaspace":
                return CreateMetaspace(context, element, path);
            default:
                throw context.Unsupported(path, "pre_tokenizer", type);
        }
    }

    private static MetaspacePreTokenizer CreateMetaspace(TokenizerJsonContext context, JsonElement element, string path)
    {
        Rune replacement = ReadSingleChar(context, element, path, "replacement");
        if (!replacement.IsBmp)
            throw context.Error(TokenizerJsonContext.Child(path, "replacement"), "the replacement must be a BMP character.");
        MetaspacePrependScheme scheme = context.GetOptionalString(element, path, "prepend_scheme") switch
        {
            "always" => MetaspacePrependScheme.Always,
            "first" => MetaspacePrependScheme.First,
            "never" => MetaspacePrependScheme.Never,
            null => context.GetBool(element, path, "add_prefix_space", true) ? MetaspacePrependScheme.Always : MetaspacePrependScheme.Never,
            string other => throw context.Error(TokenizerJsonContext.Child(path, "prepend_scheme"), $"unknown prepend scheme '{other}'."),
        };
        return new MetaspacePreTokenizer((char)replacement.Value, scheme, context.GetBool(element, path, "split", true));
    }

    /// <summary>Reads a <c>behavior</c> field; <paramref name="defaultValue"/> null makes it required.</summary>
    internal static SplitBehavior ReadBehavior(TokenizerJsonContext context, JsonElement element, string path, SplitBehavior? defaultValue)
    {
        string? name = defaultValue is null ? context.GetString(element, path, "behavior") : context.GetOptionalString(element, path, "behavior");
        if (name is null)
            return defaultValue!.Value;
        return Enum.TryParse(name, ignoreCase: false, out SplitBehavior behavior) && Enum.IsDefined(behavior)
            ? behavior
            : throw context.Error(TokenizerJsonContext.Child(path, "behavior"), $"unknown split behavior '{name}'.");
    }

    private static Rune ReadSingleChar(TokenizerJsonContext context, JsonElement element, string path, string name)
    {
        string value = context.GetString(element, path, name);
        if (Rune.DecodeFromUtf16(value, out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done || consumed != value.Length)
            throw context.Error(TokenizerJsonContext.Child(path, name), $"expected exactly one character but found '{value}'.");
        return rune;
    }
}
