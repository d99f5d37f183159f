using System.Buffers;
using System.Text;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.Bpe;

/// <summary>
/// A byte-pair-encoding model (tokenizer.json <c>model.type == "BPE"</c>): splits a word into its symbols
/// and merges them by rank. For byte-level vocabularies the word's UTF-8 bytes index a 256-entry table of
/// initial ids directly, so the byte-level string is never built. Thread-safe.
/// </summary>
internal sealed class BpeModel
{
    private const int StackLimit = 256;

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabBySpan;
    private readonly BpeMergeTable _merges;
    private readonly BpeOptions _options;
    private readonly BpeCache _cache = new(capacity: 100_000);
    private readonly int _unknownId = -1;
    // Initial id of each byte in byte-level mode; null when some byte character is missing from the vocabulary
    // or a prefix/suffix applies, in which case byte-level words take the general path.
    private readonly int[]? _byteIds;
    private readonly int[] _byteFallbackIds = new int[256];

    /// <summary>Creates the model; every merge must name vocabulary tokens (checked by the reader).</summary>
    public BpeModel(Dictionary<string, int> vocab, BpeMergeTable merges, BpeOptions options)
    {
        _vocab = vocab;
        _vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _merges = merges;
        _options = options;
        if (options.UnknownToken is not null && !vocab.TryGetValue(options.UnknownToken, out _unknownId))
            throw new ArgumentException($"The unknown token '{options.UnknownToken}' is not in the vocabulary.");
        for (int b = 0; b < 256; b++)
            _byteFallbackIds[b] = vocab.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
        _byteIds = BuildByteIds(vocab, options);
    }

    /// <summary>The vocabulary (token → id).</summary>
    public IReadOnlyDictionary<string, int> Vocab => _vocab;

    /// <summary>Looks a token up in the vocabulary.</summary>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _vocabBySpan.TryGetValue(token, out id);

    /// <summary>
    /// Appends the ids of one pre-tokenised word.
    /// </summary>
    /// <param name="word">The word; when <paramref name="byteLevel"/> is set, in plain text rather than byte-level characters.</param>
    /// <param name="byteLevel">Map the word's UTF-8 bytes to byte-level characters first.</param>
    /// <param name="output">Receives the ids.</param>
    public void Encode(ReadOnlySpan<char> word, bool byteLevel, List<int> output)
    {
        if (word.IsEmpty)
            return;
        if (_cache.TryGet(word, out int[]? cached))
        {
            output.AddRange(cached);
            return;
        }
        if (byteLevel && _byteIds is not null)
            EncodeBytes(word, output);
        else if (byteLevel)
            EncodeSymbols(word, ByteLevelAlphabet.Map(word), output);
        else
            EncodeSymbols(word, word, output);
    }

    private void EncodeBytes(ReadOnlySpan<char> word, List<int> output)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(word.Length);
        byte[]? rentedBytes = null;
        int[]? rentedIds = null;
        Span<byte> bytes = maxBytes <= StackLimit * 3 ? stackalloc byte[StackLimit * 3] : (rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes));
        int byteCount = Encoding.UTF8.GetBytes(word, bytes);
        Span<int> ids = byteCount <= StackLimit ? stackalloc int[StackLimit] : (rentedIds = ArrayPool<int>.Shared.Rent(byteCount));
        ids = ids[..byteCount];
        try
        {
            if (_options.IgnoreMerges && TryWholeByteLevelWord(bytes[..byteCount], out int wholeId))
            {
                ids[0] = wholeId;
                ids = ids[..1];
            }
            else
            {
                for (int i = 0; i < byteCount; i++)
                    ids[i] = _byteIds![bytes[i]];
                ids = ids[..BpeWordMerger.Merge(ids, _merges)];
            }
            Emit(word, ids, output);
        }
        finally
        {
            if (rentedBytes is not null)
                ArrayPool<byte>.Shared.Return(rentedBytes);
            if (rentedIds is not null)
                ArrayPool<int>.Shared.Return(rentedIds);
        }
    }

    private bool TryWholeByteLevelWord(ReadOnlySpan<byte> bytes, out int id)
    {
        char[]? rented = null;
        Span<char> chars = bytes.Length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(bytes.Length));
        ReadOnlySpan<char> map = ByteLevelAlphabet.ByteToChar;
        for (int i = 0; i < bytes.Length; i++)
            chars[i] = map[bytes[i]];
        bool found = _vocabBySpan.TryGetValue(chars[..bytes.Length], out id);
        if (rented is not null)
            ArrayPool<char>.Shared.Return(rented);
        return found;
    }

    /// <summary>The general path: one symbol per code point, with prefix/suffix, byte fallback and unknown handling.</summary>
    /// <param name="cacheKey">The word as the caller passed it.</param>
    /// <param name="symbols">The text the model actually splits (byte-level characters in byte-level mode).</param>
    /// <param name="output">Receives the ids.</param>
    private void EncodeSymbols(ReadOnlySpan<char> cacheKey, ReadOnlySpan<char> symbols, List<int> output)
    {
        if (_options.IgnoreMerges && _vocabBySpan.TryGetValue(symbols, out int wholeId))
        {
            Emit(cacheKey, [wholeId], output);
            return;
        }
        var ids = new List<int>(symbols.Length);
        string prefix = _options.ContinuingSubwordPrefix ?? "";
        string suffix = _options.EndOfWordSuffix ?? "";
        char[] scratch = ArrayPool<char>.Shared.Rent(prefix.Length + suffix.Length + 2);
        Span<byte> utf8 = stackalloc byte[16];
        int pendingUnknown = 0; // 0: none; otherwise the number of unknown symbols waiting (fused or not)
        for (int index = 0; index < symbols.Length;)
        {
            int length = char.IsHighSurrogate(symbols[index]) && index + 1 < symbols.Length && char.IsLowSurrogate(symbols[index + 1]) ? 2 : 1;
            bool isFirst = index == 0;
            bool isLast = index + length == symbols.Length;
            int symbolLength = 0;
            if (!isFirst)
            {
                prefix.CopyTo(scratch);
                symbolLength = prefix.Length;
            }
            symbols.Slice(index, length).CopyTo(scratch.AsSpan(symbolLength));
            symbolLength += length;
            if (isLast)
            {
                suffix.CopyTo(scratch.AsSpan(symbolLength));
                symbolLength += suffix.Length;
            }
            index += length;
            ReadOnlySpan<char> symbol = scratch.AsSpan(0, symbolLength);

            if (_vocabBySpan.TryGetValue(symbol, out int id))
            {
                FlushUnknown(ids, ref pendingUnknown);
                ids.Add(id);
                continue;
            }
            if (_options.ByteFallback && TryAddByteFallback(symbol, utf8, ids))
                continue; // As in Rust, a pending unknown token is not flushed before byte-fallback tokens.
            if (_unknownId >= 0)
            {
                if (pendingUnknown > 0 && !_options.FuseUnknown)
                    FlushUnknown(ids, ref pendingUnknown);
                pendingUnknown++;
            }
        }
        FlushUnknown(ids, ref pendingUnknown);
        ArrayPool<char>.Shared.Return(scratch);

        Span<int> span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        Emit(cacheKey, span[..BpeWordMerger.Merge(span, _merges)], output);
    }

    private void FlushUnknown(List<int> ids, ref int pendingUnknown)
    {
        if (pendingUnknown > 0)
            ids.Add(_unknownId);
        pendingUnknown = 0;
    }

    private bool TryAddByteFallback(ReadOnlySpan<char> symbol, Span<byte> utf8, List<int> ids)
    {
        Span<byte> bytes = utf8.Length >= Encoding.UTF8.GetMaxByteCount(symbol.Length) ? utf8 : new byte[Encoding.UTF8.GetMaxByteCount(symbol.Length)];
        int count = Encoding.UTF8.GetBytes(symbol, bytes);
        for (int i = 0; i < count; i++)
        {
            if (_byteFallbackIds[bytes[i]] < 0)
                return false;
        }
        for (int i = 0; i < count; i++)
            ids.Add(_byteFallbackIds[bytes[i]]);
        return true;
    }

    private void Emit(ReadOnlySpan<char> word, ReadOnlySpan<int> ids, List<int> output)
    {
        output.AddRange(ids);
        _cache.TryAdd(word, ids);
    }

    private static int[]? BuildByteIds(Dictionary<string, int> vocab, BpeOptions options)
    {
        if (options.ContinuingSubwordPrefix is not null || options.EndOfWordSuffix is not null)
            return null;
        var ids = new int[256];
        ReadOnlySpan<char> map = ByteLevelAlphabet.ByteToChar;
        for (int b = 0; b < 256; b++)
        {
            if (!vocab.TryGetValue(map[b].ToString(), out ids[b]))
                return null;
        }
        return ids;
    }
}
