using System.Globalization;
using System.Text.Json;

namespace GlmRuntime.Tokenization;

/// <summary>
/// The parts of a Hugging Face <c>tokenizer_config.json</c> that serving needs: the chat template,
/// the named special tokens, the add-BOS/EOS flags, <c>added_tokens_decoder</c> (where the GLM-5 layout
/// declares its special tokens) and the maximum model length. Immutable.
/// </summary>
public sealed class TokenizerConfig
{
    private TokenizerConfig(
        string? chatTemplate,
        IReadOnlyDictionary<string, string> chatTemplates,
        string? bosToken,
        string? eosToken,
        string? padToken,
        string? unkToken,
        bool addBosToken,
        bool addEosToken,
        IReadOnlyDictionary<int, AddedToken> addedTokensDecoder,
        long? modelMaxLength,
        string? tokenizerClass)
    {
        ChatTemplate = chatTemplate;
        ChatTemplates = chatTemplates;
        BosToken = bosToken;
        EosToken = eosToken;
        PadToken = padToken;
        UnkToken = unkToken;
        AddBosToken = addBosToken;
        AddEosToken = addEosToken;
        AddedTokensDecoder = addedTokensDecoder;
        ModelMaxLength = modelMaxLength;
        TokenizerClass = tokenizerClass;
    }

    /// <summary>
    /// The Jinja chat template: <c>chat_template</c> when it is a string, or the entry named "default" when it is a
    /// list of <c>{"name", "template"}</c> objects; null when there is none.
    /// </summary>
    public string? ChatTemplate { get; }

    /// <summary>All named templates (the list form); a plain string template is listed under "default".</summary>
    public IReadOnlyDictionary<string, string> ChatTemplates { get; }

    /// <summary>Content of <c>bos_token</c> (a string or an AddedToken object in the file), or null.</summary>
    public string? BosToken { get; }

    /// <summary>Content of <c>eos_token</c>, or null.</summary>
    public string? EosToken { get; }

    /// <summary>Content of <c>pad_token</c>, or null.</summary>
    public string? PadToken { get; }

    /// <summary>Content of <c>unk_token</c>, or null.</summary>
    public string? UnkToken { get; }

    /// <summary><c>add_bos_token</c>; false when absent.</summary>
    public bool AddBosToken { get; }

    /// <summary><c>add_eos_token</c>; false when absent.</summary>
    public bool AddEosToken { get; }

    /// <summary><c>added_tokens_decoder</c>: id → token with its flags. A missing <c>normalized</c> defaults to <c>!special</c>.</summary>
    public IReadOnlyDictionary<int, AddedToken> AddedTokensDecoder { get; }

    /// <summary><c>model_max_length</c>, clamped to <see cref="long.MaxValue"/> (files use 1e30 for "unbounded"); null when absent.</summary>
    public long? ModelMaxLength { get; }

    /// <summary><c>tokenizer_class</c>, or null.</summary>
    public string? TokenizerClass { get; }

    /// <summary>
    /// A copy whose default chat template is <paramref name="template"/>: newer checkpoints (GLM-4.5 and later)
    /// ship it as chat_template.jinja beside the config, and transformers prefers that file.
    /// </summary>
    internal TokenizerConfig WithDefaultChatTemplate(string template)
    {
        var templates = new Dictionary<string, string>(ChatTemplates, StringComparer.Ordinal) { ["default"] = template };
        return new TokenizerConfig(template, templates, BosToken, EosToken, PadToken, UnkToken, AddBosToken, AddEosToken,
            AddedTokensDecoder, ModelMaxLength, TokenizerClass);
    }

    /// <summary>Parses the text of a tokenizer_config.json.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="sourceName">Named in error messages; defaults to "tokenizer_config.json".</param>
    /// <exception cref="TokenizerException">The JSON is malformed or a field has the wrong shape.</exception>
    public static TokenizerConfig Parse(string json, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var context = new TokenizerJsonContext(sourceName ?? "tokenizer_config.json");
        using JsonDocument document = context.Parse(json);
        JsonElement root = document.RootElement;
        context.RequireObject(root, "$");

        Dictionary<string, string> templates = ReadTemplates(context, root);
        return new TokenizerConfig(
            templates.GetValueOrDefault("default"),
            templates,
            ReadTokenContent(context, root, "bos_token"),
            ReadTokenContent(context, root, "eos_token"),
            ReadTokenContent(context, root, "pad_token"),
            ReadTokenContent(context, root, "unk_token"),
            context.GetBool(root, "$", "add_bos_token", false),
            context.GetBool(root, "$", "add_eos_token", false),
            ReadAddedTokens(context, root),
            ReadMaxLength(context, root),
            context.GetOptionalString(root, "$", "tokenizer_class"));
    }

    private static Dictionary<string, string> ReadTemplates(TokenizerJsonContext context, JsonElement root)
    {
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!TokenizerJsonContext.TryGet(root, "chat_template", out JsonElement value))
            return templates;
        const string path = "$.chat_template";
        if (value.ValueKind == JsonValueKind.String)
        {
            templates["default"] = value.GetString()!;
            return templates;
        }
        if (value.ValueKind != JsonValueKind.Array)
            throw context.Error(path, $"expected a string or a list of {{\"name\", \"template\"}} but found {value.ValueKind}.");
        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            string itemPath = TokenizerJsonContext.Item(path, index++);
            context.RequireObject(item, itemPath);
            templates[context.GetString(item, itemPath, "name")] = context.GetString(item, itemPath, "template");
        }
        return templates;
    }

    private static string? ReadTokenContent(TokenizerJsonContext context, JsonElement root, string name)
    {
        if (!TokenizerJsonContext.TryGet(root, name, out JsonElement value))
            return null;
        return value.ValueKind == JsonValueKind.Object
            ? context.GetString(value, "$." + name, "content")
            : context.AsString(value, "$." + name);
    }

    private static Dictionary<int, AddedToken> ReadAddedTokens(TokenizerJsonContext context, JsonElement root)
    {
        var tokens = new Dictionary<int, AddedToken>();
        if (!TokenizerJsonContext.TryGet(root, "added_tokens_decoder", out JsonElement map))
            return tokens;
        const string path = "$.added_tokens_decoder";
        context.RequireObject(map, path);
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            string entryPath = TokenizerJsonContext.Child(path, entry.Name);
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                throw context.Error(entryPath, "the key must be a non-negative integer token id.");
            context.RequireObject(entry.Value, entryPath);
            bool special = context.GetBool(entry.Value, entryPath, "special", false);
            tokens[id] = new AddedToken(
                id,
                context.GetString(entry.Value, entryPath, "content"),
                special,
                context.GetBool(entry.Value, entryPath, "lstrip", false),
                context.GetBool(entry.Value, entryPath, "rstrip", false),
                context.GetBool(entry.Value, entryPath, "single_word", false),
                context.GetBool(entry.Value, entryPath, "normalized", !special));
        }
        return tokens;
    }

    private static long? ReadMaxLength(TokenizerJsonContext context, JsonElement root)
    {
        if (!TokenizerJsonContext.TryGet(root, "model_max_length", out JsonElement value))
            return null;
        if (value.ValueKind != JsonValueKind.Number)
            throw context.Error("$.model_max_length", $"expected a number but found {value.ValueKind}.");
        if (value.TryGetInt64(out long exact))
            return exact;
        double approximate = value.GetDouble();
        return approximate >= long.MaxValue ? long.MaxValue : (long)approximate;
    }
}
