using System.Text;
using GlmRuntime.Tokenization.Decoders;
using GlmRuntime.Tokenization.PostProcessors;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> tokenizer (byte-level BPE with regex pre-tokenisation and added
/// tokens, as GLM-5 and DeepSeek-V3 use) that reproduces the Rust <c>tokenizers</c> library's ids exactly.
/// Immutable and thread-safe; encoding shares a bounded per-instance word cache.
/// </summary>
public sealed class GlmTokenizer
{
    /// <summary>File name of the tokenizer inside a model folder.</summary>
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>File name of the optional configuration beside it.</summary>
    public const string ConfigFileName = "tokenizer_config.json";

    /// <summary>File name of the optional chat template beside it (newer checkpoints keep it out of the config).</summary>
    public const string ChatTemplateFileName = "chat_template.jinja";

    private readonly EncodingPipeline _pipeline;
    private readonly PostProcessor? _postProcessor;
    private readonly TokenDecoder? _decoder;
    private readonly AddedVocabulary _added;
    private readonly string?[] _idToToken;
    private readonly bool[] _isSpecial;
    private readonly Dictionary<string, int> _modelVocab;

    private GlmTokenizer(TokenizerJsonLoader.Parts parts)
    {
        _pipeline = parts.Pipeline;
        _postProcessor = parts.PostProcessor;
        _decoder = parts.Decoder;
        _added = parts.Added;
        Config = parts.Config;
        _modelVocab = new Dictionary<string, int>(parts.Model.Vocab, StringComparer.Ordinal);

        int maxModelId = _modelVocab.Count == 0 ? -1 : _modelVocab.Values.Max();
        VocabSize = Math.Max(maxModelId, _added.MaxId) + 1;
        _idToToken = new string?[VocabSize];
        foreach ((string token, int id) in _modelVocab)
            _idToToken[id] = token;
        // Added tokens take precedence when decoding, as in the Rust library.
        foreach (AddedToken token in _added.Tokens)
            _idToToken[token.Id] = token.Content;
        // "Special" is a property of the content in the Rust library: any id whose string is a special token is skipped.
        var specialContents = _added.Tokens.Where(t => t.Special).Select(t => t.Content).ToHashSet(StringComparer.Ordinal);
        _isSpecial = _idToToken.Select(t => t is not null && specialContents.Contains(t)).ToArray();
    }

    /// <summary>Number of ids, including added tokens (largest id + 1).</summary>
    public int VocabSize { get; }

    /// <summary>The tokenizer_config.json read with the tokenizer, or null when there was none.</summary>
    public TokenizerConfig? Config { get; }

    /// <summary>The added tokens (special or not), by ascending id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => _added.Tokens;

    /// <summary>True when the decoder is plain byte-level, so the streaming detokenizer can work on bytes.</summary>
    internal bool DecodesBytesOnly => _decoder?.IsByteLevelOnly ?? false;

    /// <summary>Loads a tokenizer from a tokenizer.json file or a folder holding one.</summary>
    /// <param name="path">
    /// tokenizer.json, or a folder containing it. A tokenizer_config.json beside it is read too, and a
    /// chat_template.jinja beside it becomes the config's default chat template.
    /// </param>
    /// <exception cref="FileNotFoundException">No tokenizer.json at <paramref name="path"/>.</exception>
    /// <exception cref="TokenizerException">A file is malformed or uses an unsupported component; the message names it.</exception>
    public static GlmTokenizer FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string file = Directory.Exists(path) ? Path.Combine(path, TokenizerFileName) : path;
        if (!File.Exists(file))
            throw new FileNotFoundException($"No tokenizer file at '{file}'.", file);
        string folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string configFile = Path.Combine(folder, ConfigFileName);
        string templateFile = Path.Combine(folder, ChatTemplateFileName);
        TokenizerConfig? config = File.Exists(configFile) ? TokenizerConfig.Parse(File.ReadAllText(configFile), configFile) : null;
        if (File.Exists(templateFile))
            config = (config ?? TokenizerConfig.Parse("{}", configFile)).WithDefaultChatTemplate(File.ReadAllText(templateFile));
        return new GlmTokenizer(TokenizerJsonLoader.Load(File.ReadAllBytes(file), config, file));
    }

    /// <summary>Creates a tokenizer from the text of a tokenizer.json and, optionally, of a tokenizer_config.json.</summary>
    /// <param name="tokenizerJson">The tokenizer.json text.</param>
    /// <param name="tokenizerConfigJson">The tokenizer_config.json text, or null.</param>
    /// <param name="sourceName">Named in error messages; defaults to "tokenizer.json".</param>
    /// <exception cref="TokenizerException">The JSON is malformed or uses an unsupported component.</exception>
    public static GlmTokenizer FromJson(string tokenizerJson, string? tokenizerConfigJson = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizerJson);
        string name = sourceName ?? TokenizerFileName;
        string configName = Path.Combine(Path.GetDirectoryName(name) ?? "", ConfigFileName);
        TokenizerConfig? config = tokenizerConfigJson is null ? null : TokenizerConfig.Parse(tokenizerConfigJson, configName);
        return new GlmTokenizer(TokenizerJsonLoader.Load(Encoding.UTF8.GetBytes(tokenizerJson), config, name));
    }

    /// <summary>Encodes text to token ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecialTokens">Apply the post-processor (e.g. add BOS), as <c>encode(text, add_special_tokens=True)</c> does.</param>
    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        EncodeCore(SanitizeSurrogates(text).AsMemory(), ids, addSpecialTokens);
        return ids.ToArray();
    }

    /// <summary>Encodes text and appends the ids to <paramref name="destination"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="destination">Receives the ids after its current content.</param>
    /// <param name="addSpecialTokens">Apply the post-processor to the appended ids.</param>
    public void Encode(ReadOnlySpan<char> text, List<int> destination, bool addSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(destination);
        EncodeCore(SanitizeSurrogates(text.ToString()).AsMemory(), destination, addSpecialTokens);
    }

    /// <summary>Decodes ids to text.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="skipSpecialTokens">Leave out special tokens.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id has no token; the message names it.</exception>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        if (DecodesBytesOnly)
        {
            using var bytes = new ByteBuffer(ids.Length * 4);
            foreach (int id in ids)
            {
                string token = TokenOf(id);
                if (!skipSpecialTokens || !_isSpecial[id])
                    ByteLevelAlphabet.AppendTokenBytes(token, bytes);
            }
            return Encoding.UTF8.GetString(bytes.WrittenSpan);
        }

        var tokens = new List<string>(ids.Length);
        foreach (int id in ids)
        {
            string token = TokenOf(id);
            if (!skipSpecialTokens || !_isSpecial[id])
                tokens.Add(token);
        }
        if (_decoder is null)
            return string.Join(' ', tokens);
        _decoder.DecodeChain(tokens);
        return string.Concat(tokens);
    }

    /// <summary>Looks up the id of a token string (added tokens first, then the model vocabulary).</summary>
    public bool TryGetTokenId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_added.TryGet(token, out AddedToken added))
        {
            id = added.Id;
            return true;
        }
        return _modelVocab.TryGetValue(token, out id);
    }

    /// <summary>The token string of an id (byte-level characters for model tokens), or null when there is none.</summary>
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>True when <paramref name="id"/> is a special token (skipped by <c>skipSpecialTokens</c>).</summary>
    public bool IsSpecialToken(int id) => (uint)id < (uint)_isSpecial.Length && _isSpecial[id];

    /// <summary>Creates a detokenizer that turns ids fed one at a time into text deltas.</summary>
    /// <param name="skipSpecialTokens">Leave out special tokens.</param>
    public StreamingDetokenizer CreateStreamingDetokenizer(bool skipSpecialTokens = false) => new(this, skipSpecialTokens);

    /// <summary>The token string of an id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id has no token.</exception>
    internal string TokenOf(int id) =>
        IdToToken(id) ?? throw new ArgumentOutOfRangeException("ids", id, $"Token id {id} is not in the vocabulary (size {VocabSize}).");

    private void EncodeCore(ReadOnlyMemory<char> text, List<int> destination, bool addSpecialTokens)
    {
        int start = destination.Count;
        _pipeline.Encode(text, destination);
        if (addSpecialTokens)
            _postProcessor?.Process(destination, start);
    }

    /// <summary>Replaces lone surrogates with U+FFFD, which is what they become in UTF-8 for the Rust library.</summary>
    private static string SanitizeSurrogates(string text)
    {
        int lone = FindLoneSurrogate(text, text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'));
        if (lone < 0)
            return text;
        char[] chars = text.ToCharArray();
        for (; lone >= 0; lone = FindLoneSurrogate(text, lone + 1))
            chars[lone] = '\uFFFD';
        return new string(chars);
    }

    /// <summary>Index of the first unpaired surrogate at or after <paramref name="from"/>, or -1.</summary>
    private static int FindLoneSurrogate(string text, int from)
    {
        for (int i = from; i >= 0 && i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c))
                continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else
                return i;
        }
        return -1;
    }
}
