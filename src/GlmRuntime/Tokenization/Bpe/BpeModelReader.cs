using System.Text.Json;

namespace GlmRuntime.Tokenization.Bpe;

/// <summary>Reads tokenizer.json's <c>model</c> section (type BPE) into a <see cref="BpeModel"/>.</summary>
internal static class BpeModelReader
{
    /// <summary>Reads the model; merges may be <c>"a b"</c> strings or <c>["a", "b"]</c> pairs.</summary>
    /// <exception cref="TokenizerException">The model is not BPE or a field is malformed.</exception>
    public static BpeModel Read(TokenizerJsonContext context, JsonElement model, string path)
    {
        context.RequireObject(model, path);
        string type = context.GetOptionalString(model, path, "type") ?? (TokenizerJsonContext.TryGet(model, "merges", out _) ? "BPE" : "(missing)");
        if (type != "BPE")
            throw context.Unsupported(TokenizerJsonContext.Child(path, "type"), "model", type);
        if (TokenizerJsonContext.TryGet(model, "dropout", out JsonElement dropout) && (dropout.ValueKind != JsonValueKind.Number || dropout.GetDouble() != 0))
            throw context.Error(TokenizerJsonContext.Child(path, "dropout"), "BPE dropout is not supported for inference.");

        Dictionary<string, int> vocab = ReadVocab(context, model, path);
        var options = new BpeOptions(
            context.GetOptionalString(model, path, "unk_token"),
            context.GetOptionalString(model, path, "continuing_subword_prefix"),
            context.GetOptionalString(model, path, "end_of_word_suffix"),
            context.GetBool(model, path, "fuse_unk", false),
            context.GetBool(model, path, "byte_fallback", false),
            context.GetBool(model, path, "ignore_merges", false));
        BpeMergeTable merges = ReadMerges(context, model, path, vocab, options.ContinuingSubwordPrefix);
        try
        {
            return new BpeModel(vocab, merges, options);
        }
        catch (ArgumentException ex)
        {
            throw context.Error(TokenizerJsonContext.Child(path, "unk_token"), ex.Message, ex);
        }
    }

    private static Dictionary<string, int> ReadVocab(TokenizerJsonContext context, JsonElement model, string path)
    {
        JsonElement element = context.Get(model, path, "vocab");
        string vocabPath = TokenizerJsonContext.Child(path, "vocab");
        context.RequireObject(element, vocabPath);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in element.EnumerateObject())
        {
            int id = context.AsInt(entry.Value, TokenizerJsonContext.Child(vocabPath, entry.Name));
            if (id < 0)
                throw context.Error(TokenizerJsonContext.Child(vocabPath, entry.Name), $"negative token id {id}.");
            vocab[entry.Name] = id;
        }
        return vocab;
    }

    private static BpeMergeTable ReadMerges(TokenizerJsonContext context, JsonElement model, string path, Dictionary<string, int> vocab, string? prefix)
    {
        var table = new BpeMergeTable(0);
        if (!TokenizerJsonContext.TryGet(model, "merges", out JsonElement merges))
            return table;
        string mergesPath = TokenizerJsonContext.Child(path, "merges");
        if (merges.ValueKind != JsonValueKind.Array)
            throw context.Error(mergesPath, $"expected an array but found {merges.ValueKind}.");
        table = new BpeMergeTable(merges.GetArrayLength());
        int rank = 0;
        foreach (JsonElement merge in merges.EnumerateArray())
        {
            string itemPath = TokenizerJsonContext.Item(mergesPath, rank);
            (string left, string right) = ReadPair(context, merge, itemPath);
            if (!vocab.TryGetValue(left, out int leftId))
                throw context.Error(itemPath, $"merge token '{left}' is not in the vocabulary.");
            if (!vocab.TryGetValue(right, out int rightId))
                throw context.Error(itemPath, $"merge token '{right}' is not in the vocabulary.");
            // The continuing-subword prefix of the right part disappears in the merged token.
            string rightBody = prefix is not null && right.StartsWith(prefix, StringComparison.Ordinal) ? right[prefix.Length..] : right;
            string merged = left + rightBody;
            if (!vocab.TryGetValue(merged, out int mergedId))
                throw context.Error(itemPath, $"merged token '{merged}' is not in the vocabulary.");
            table.Add(leftId, rightId, rank, mergedId);
            rank++;
        }
        return table;
    }

    private static (string Left, string Right) ReadPair(TokenizerJsonContext context, JsonElement merge, string path)
    {
        if (merge.ValueKind == JsonValueKind.String)
        {
            string text = merge.GetString()!;
            int space = text.IndexOf(' ');
            if (space < 0 || text.IndexOf(' ', space + 1) >= 0)
                throw context.Error(path, $"a merge string must hold exactly two tokens separated by one space, found '{text}'.");
            return (text[..space], text[(space + 1)..]);
        }
        if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
            return (context.AsString(merge[0], path + "[0]"), context.AsString(merge[1], path + "[1]"));
        throw context.Error(path, $"expected \"a b\" or [\"a\", \"b\"] but found {merge.GetRawText()}.");
    }
}
