using System.Text.Json;
using GlmRuntime.Tokenization.Bpe;
using GlmRuntime.Tokenization.Decoders;
using GlmRuntime.Tokenization.Normalizers;
using GlmRuntime.Tokenization.PostProcessors;
using GlmRuntime.Tokenization.PreTokenizers;

namespace GlmRuntime.Tokenization;

/// <summary>Reads a tokenizer.json, with its already parsed tokenizer_config.json if any, into the parts of a <see cref="GlmTokenizer"/>.</summary>
internal static class TokenizerJsonLoader
{
    /// <summary>Everything a tokenizer is made of.</summary>
    internal sealed record Parts(
        BpeModel Model,
        AddedVocabulary Added,
        EncodingPipeline Pipeline,
        PostProcessor? PostProcessor,
        TokenDecoder? Decoder,
        TokenizerConfig? Config);

    /// <summary>Parses both files; <c>padding</c> and <c>truncation</c> are ignored (lengths are the engine's business).</summary>
    /// <exception cref="TokenizerException">A file is malformed or uses an unsupported component.</exception>
    public static Parts Load(ReadOnlyMemory<byte> tokenizerJson, TokenizerConfig? config, string sourceName)
    {
        var context = new TokenizerJsonContext(sourceName);
        using JsonDocument document = context.Parse(tokenizerJson);
        JsonElement root = document.RootElement;
        context.RequireObject(root, "$");

        BpeModel model = BpeModelReader.Read(context, context.Get(root, "$", "model"), "$.model");
        Normalizer? normalizer = NormalizerFactory.Create(context, Optional(root, "normalizer"), "$.normalizer");
        PreTokenizer? preTokenizer = PreTokenizerFactory.Create(context, Optional(root, "pre_tokenizer"), "$.pre_tokenizer");
        PostProcessor? postProcessor = PostProcessorFactory.Create(context, Optional(root, "post_processor"), "$.post_processor");
        TokenDecoder? decoder = DecoderFactory.Create(context, Optional(root, "decoder"), "$.decoder");

        List<AddedToken> addedTokens = ReadAddedTokens(context, root, model);
        if (config is not null)
            AddConfigTokens(addedTokens, config, model);
        var added = new AddedVocabulary(addedTokens, normalizer);
        return new Parts(model, added, new EncodingPipeline(added, normalizer, preTokenizer, model), postProcessor, decoder, config);
    }

    private static JsonElement Optional(JsonElement root, string name) =>
        TokenizerJsonContext.TryGet(root, name, out JsonElement value) ? value : default;

    private static List<AddedToken> ReadAddedTokens(TokenizerJsonContext context, JsonElement root, BpeModel model)
    {
        var tokens = new List<AddedToken>();
        if (!TokenizerJsonContext.TryGet(root, "added_tokens", out JsonElement array))
            return tokens;
        const string path = "$.added_tokens";
        if (array.ValueKind != JsonValueKind.Array)
            throw context.Error(path, $"expected an array but found {array.ValueKind}.");
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string itemPath = TokenizerJsonContext.Item(path, index++);
            context.RequireObject(item, itemPath);
            string content = context.GetString(item, itemPath, "content");
            bool special = context.GetBool(item, itemPath, "special", false);
            // As in the Rust library, a token already in the model vocabulary keeps the model's id.
            int id = model.TryGetId(content, out int modelId) ? modelId : context.AsInt(context.Get(item, itemPath, "id"), itemPath + ".id");
            tokens.Add(new AddedToken(
                id,
                content,
                special,
                context.GetBool(item, itemPath, "lstrip", false),
                context.GetBool(item, itemPath, "rstrip", false),
                context.GetBool(item, itemPath, "single_word", false),
                context.GetBool(item, itemPath, "normalized", !special)));
        }
        return tokens;
    }

    /// <summary>
    /// transformers also registers the <c>added_tokens_decoder</c> entries of tokenizer_config.json; entries
    /// whose id or content tokenizer.json already defines are left to tokenizer.json, and so are entries
    /// that contradict the model vocabulary.
    /// </summary>
    private static void AddConfigTokens(List<AddedToken> tokens, TokenizerConfig config, BpeModel model)
    {
        var ids = tokens.Select(t => t.Id).ToHashSet();
        var contents = tokens.Select(t => t.Content).ToHashSet(StringComparer.Ordinal);
        foreach (AddedToken token in config.AddedTokensDecoder.Values.OrderBy(t => t.Id))
        {
            bool agreesWithModel = !model.TryGetId(token.Content, out int modelId) || modelId == token.Id;
            if (agreesWithModel && !ids.Contains(token.Id) && contents.Add(token.Content))
            {
                ids.Add(token.Id);
                tokens.Add(token);
            }
        }
    }
}
