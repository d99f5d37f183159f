using System.Text.Encodings.Web;
using System.Text.Json;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Checkpoints;

/// <summary>
/// Writes the demo model's tokenizer in the GLM-5 layout (MODEL.md §5.1): a byte-level BPE tokenizer.json with
/// the GLM split regex, ByteLevel pre-tokenizer and decoder, ids 0..255 for the byte alphabet, then the learned
/// merges, then the special tokens as added tokens; and a tokenizer_config.json that declares them in
/// <c>added_tokens_decoder</c> and carries the chat template.
/// </summary>
internal sealed class DemoTokenizerWriter
{
    /// <summary>GLM-5's special tokens in their fixed order (MODEL.md §5.1, from <c>&lt;|endoftext|&gt;</c> on).</summary>
    public static IReadOnlyList<string> SpecialTokens => Specials;

    private static readonly string[] Specials =
    [
        "<|endoftext|>", "[MASK]", "[gMASK]", "[sMASK]", "<sop>", "<eop>", "<|system|>", "<|user|>", "<|assistant|>",
        "<|observation|>", "<|begin_of_image|>", "<|end_of_image|>", "<|begin_of_video|>", "<|end_of_video|>",
        "<|begin_of_audio|>", "<|end_of_audio|>", "<|begin_of_transcription|>", "<|end_of_transcription|>",
        "<|code_prefix|>", "<|code_middle|>", "<|code_suffix|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
        "<tool_response>", "</tool_response>", "<arg_key>", "</arg_key>", "<arg_value>", "</arg_value>", "/nothink",
    ];

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<string> _vocab = [];
    private readonly List<(string Left, string Right)> _merges;

    /// <summary>Learns <paramref name="mergeCount"/> merges (fewer only if the corpus runs out of pairs) from the built-in corpus.</summary>
    public DemoTokenizerWriter(int mergeCount)
    {
        ReadOnlySpan<char> alphabet = ByteLevelAlphabet.ByteToChar;
        foreach (char c in alphabet)
            _vocab.Add(c.ToString());
        _merges = DemoBpeTrainer.Learn(DemoCorpus.Text, mergeCount);
        var known = new HashSet<string>(_vocab, StringComparer.Ordinal);
        // Two merges can build the same string ("ab"+"c", "a"+"bc"); it gets one id.
        foreach (var (left, right) in _merges)
        {
            if (known.Add(left + right))
                _vocab.Add(left + right);
        }
    }

    /// <summary>Id of the first special token; the model vocabulary fills the ids below it.</summary>
    public int FirstSpecialId => _vocab.Count;

    /// <summary>Every id has a token and no id is unused: model vocabulary plus special tokens.</summary>
    public int VocabSize => _vocab.Count + SpecialTokens.Count;

    /// <summary>The id of a special token.</summary>
    public int IdOf(string specialToken)
    {
        int index = Array.IndexOf(Specials, specialToken);
        if (index < 0)
            throw new ArgumentException($"'{specialToken}' is not a GLM-5 special token.", nameof(specialToken));
        return FirstSpecialId + index;
    }

    /// <summary>Writes tokenizer.json.</summary>
    public void WriteTokenizerJson(string path)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, WriterOptions);
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        for (int i = 0; i < SpecialTokens.Count; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("id", FirstSpecialId + i);
            WriteAddedTokenFlags(w, SpecialTokens[i]);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNull("normalizer");

        w.WriteStartObject("pre_tokenizer");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("pretokenizers");
        w.WriteStartObject();
        w.WriteString("type", "Split");
        w.WriteStartObject("pattern");
        w.WriteString("Regex", DemoBpeTrainer.SplitPattern);
        w.WriteEndObject();
        w.WriteString("behavior", "Isolated");
        w.WriteBoolean("invert", false);
        w.WriteEndObject();
        WriteByteLevel(w, addPrefixSpace: false, useRegex: false);
        w.WriteEndArray();
        w.WriteEndObject();

        w.WritePropertyName("post_processor");
        WriteByteLevel(w, addPrefixSpace: false, useRegex: false);
        w.WritePropertyName("decoder");
        WriteByteLevel(w, addPrefixSpace: true, useRegex: true);

        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteNull("unk_token");
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", false);
        w.WriteBoolean("byte_fallback", false);
        w.WriteBoolean("ignore_merges", false);
        w.WriteStartObject("vocab");
        for (int id = 0; id < _vocab.Count; id++)
            w.WriteNumber(_vocab[id], id);
        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach (var (left, right) in _merges)
        {
            w.WriteStartArray();
            w.WriteStringValue(left);
            w.WriteStringValue(right);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Writes tokenizer_config.json with <paramref name="extra"/> (the demo marker) at the end.</summary>
    public void WriteTokenizerConfig(string path, int modelMaxLength, Action<Utf8JsonWriter> extra)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, WriterOptions);
        w.WriteStartObject();
        w.WriteStartObject("added_tokens_decoder");
        for (int i = 0; i < SpecialTokens.Count; i++)
        {
            w.WriteStartObject((FirstSpecialId + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteAddedTokenFlags(w, SpecialTokens[i]);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteString("chat_template", DemoChatTemplate.Source);
        w.WriteBoolean("clean_up_tokenization_spaces", false);
        w.WriteBoolean("do_lower_case", false);
        w.WriteString("eos_token", "<|endoftext|>");
        w.WriteString("pad_token", "<|endoftext|>");
        w.WriteNumber("model_max_length", modelMaxLength);
        w.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
        extra(w);
        w.WriteEndObject();
    }

    private static void WriteAddedTokenFlags(Utf8JsonWriter w, string content)
    {
        w.WriteString("content", content);
        w.WriteBoolean("single_word", false);
        w.WriteBoolean("lstrip", false);
        w.WriteBoolean("rstrip", false);
        w.WriteBoolean("normalized", false);
        w.WriteBoolean("special", true);
    }

    private static void WriteByteLevel(Utf8JsonWriter w, bool addPrefixSpace, bool useRegex)
    {
        w.WriteStartObject();
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", addPrefixSpace);
        w.WriteBoolean("trim_offsets", true);
        w.WriteBoolean("use_regex", useRegex);
        w.WriteEndObject();
    }
}
