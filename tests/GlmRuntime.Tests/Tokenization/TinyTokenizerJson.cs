using System.Text.Json.Nodes;

namespace GlmRuntime.Tests.Tokenization;

/// <summary>Small hand-made tokenizer.json documents for unit tests.</summary>
internal static class TinyTokenizerJson
{
    /// <summary>
    /// A byte-level BPE over the letters a–d and space (Ġ), with merges "a b", "ab c", "Ġ a"
    /// written as strings or as pairs, a &lt;s&gt; special token and a template adding it in front.
    /// </summary>
    public static string ByteLevel(bool mergesAsPairs = false, string? preTokenizerType = null)
    {
        var vocab = new JsonObject { ["a"] = 0, ["b"] = 1, ["c"] = 2, ["d"] = 3, ["Ġ"] = 4, ["ab"] = 5, ["abc"] = 6, ["Ġa"] = 7 };
        string[][] merges = [["a", "b"], ["ab", "c"], ["Ġ", "a"]];
        JsonArray mergeArray = mergesAsPairs
            ? new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m[0], m[1])).ToArray())
            : new JsonArray(merges.Select(m => (JsonNode)JsonValue.Create($"{m[0]} {m[1]}")).ToArray());
        JsonNode preTokenizer = preTokenizerType is null
            ? new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true }
            : new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Digits", ["individual_digits"] = true },
                    new JsonObject { ["type"] = preTokenizerType }),
            };
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(AddedToken(8, "<s>", special: true)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["pair"] = new JsonArray(),
                ["special_tokens"] = new JsonObject
                {
                    ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(8), ["tokens"] = new JsonArray("<s>") },
                },
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = mergeArray,
            },
        };
        return root.ToJsonString();
    }

    /// <summary>A SentencePiece-style BPE: Metaspace pre-tokeniser and decoder, byte fallback, unknown token.</summary>
    public static string Metaspace()
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["▁"] = 1, ["a"] = 2, ["b"] = 3, ["▁a"] = 4, ["▁ab"] = 5 };
        for (int b = 0; b < 256; b++)
            vocab[$"<0x{b:X2}>"] = 6 + b;
        var root = new JsonObject
        {
            ["added_tokens"] = new JsonArray(),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["unk_token"] = "<unk>",
                ["byte_fallback"] = true,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray("▁ a", "▁a b"),
            },
        };
        return root.ToJsonString();
    }

    private static JsonObject AddedToken(int id, string content, bool special) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = false,
        ["rstrip"] = false,
        ["normalized"] = !special,
        ["special"] = special,
    };

    /// <summary>
    /// A byte-level model without merges, a Lowercase normaliser and the added tokens of the Rust library's
    /// <c>options_use_cases</c> test: "my" (normalized, lstrip, rstrip), "name" (normalized),
    /// "ony" (normalized, single word), "[CLS]" and "[SEP]" (special, raw).
    /// </summary>
    public static string LowercaseWithAddedTokens()
    {
        var vocab = new JsonObject();
        ReadOnlySpan<char> alphabet = GlmRuntime.Tokenization.Text.ByteLevelAlphabet.ByteToChar;
        for (int b = 0; b < 256; b++)
            vocab[alphabet[b].ToString()] = b;
        JsonObject Added(int id, string content, bool special, bool normalized, bool lstrip = false, bool rstrip = false, bool singleWord = false) => new()
        {
            ["id"] = id, ["content"] = content, ["single_word"] = singleWord, ["lstrip"] = lstrip,
            ["rstrip"] = rstrip, ["normalized"] = normalized, ["special"] = special,
        };
        var root = new JsonObject
        {
            ["added_tokens"] = new JsonArray(
                Added(300, "my", special: false, normalized: true, lstrip: true, rstrip: true),
                Added(301, "name", special: false, normalized: true),
                Added(302, "ony", special: false, normalized: true, singleWord: true),
                Added(303, "[CLS]", special: true, normalized: false),
                Added(304, "[SEP]", special: true, normalized: false)),
            ["normalizer"] = new JsonObject { ["type"] = "Lowercase" },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray() },
        };
        return root.ToJsonString();
    }
}
