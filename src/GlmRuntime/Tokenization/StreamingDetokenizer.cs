using System.Buffers;
using System.Text;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization;

/// <summary>
/// Turns ids generated one at a time into text deltas. A delta never ends inside a UTF-8 sequence: the
/// trailing bytes of an incomplete character are held back until the character completes (so no U+FFFD
/// is emitted for it), and invalid bytes become U+FFFD exactly where a full decode puts them. The
/// concatenation of all deltas and <see cref="Flush"/> equals <see cref="GlmTokenizer.Decode"/> of all ids.
/// Not thread-safe: one instance per generated sequence.
/// </summary>
/// <remarks>
/// With a byte-level decoder (GLM, DeepSeek) each step costs O(token length): only the at most three
/// bytes of an incomplete character are kept between steps. Other decoders (Metaspace, ByteFallback, ...)
/// are not token-local, so the fallback re-decodes the sequence so far and emits the new suffix.
/// </remarks>
public sealed class StreamingDetokenizer
{
    private readonly GlmTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly bool _bytePath;
    private byte[] _pending = new byte[64];
    private int _pendingCount;
    private readonly List<int> _history = [];
    private int _emittedLength;

    internal StreamingDetokenizer(GlmTokenizer tokenizer, bool skipSpecialTokens)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
        _bytePath = tokenizer.DecodesBytesOnly;
    }

    /// <summary>Adds one id and returns the text that became final (possibly empty).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id has no token.</exception>
    public string Append(int id)
    {
        string token = _tokenizer.TokenOf(id);
        if (!_bytePath)
            return AppendByRedecoding(id);
        if (_skipSpecialTokens && _tokenizer.IsSpecialToken(id))
            return "";

        int needed = _pendingCount + ByteLevelAlphabet.MaxTokenBytes(token);
        if (needed > _pending.Length)
            Array.Resize(ref _pending, Math.Max(needed, _pending.Length * 2));
        _pendingCount += ByteLevelAlphabet.WriteTokenBytes(token, _pending.AsSpan(_pendingCount));

        int held = IncompleteTailLength(_pending.AsSpan(0, _pendingCount));
        int ready = _pendingCount - held;
        if (ready == 0)
            return "";
        string delta = Encoding.UTF8.GetString(_pending, 0, ready);
        _pending.AsSpan(ready, held).CopyTo(_pending);
        _pendingCount = held;
        return delta;
    }

    /// <summary>Returns whatever is still held back (an incomplete trailing character becomes U+FFFD) and resets.</summary>
    public string Flush()
    {
        if (!_bytePath)
        {
            string full = _tokenizer.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_history), _skipSpecialTokens);
            string rest = full.Length > _emittedLength ? full[_emittedLength..] : "";
            _history.Clear();
            _emittedLength = 0;
            return rest;
        }
        string tail = Encoding.UTF8.GetString(_pending, 0, _pendingCount);
        _pendingCount = 0;
        return tail;
    }

    /// <summary>
    /// Length of the trailing bytes that start a valid but incomplete UTF-8 sequence (0–3). Only such a
    /// prefix can still become a character; anything else decodes the same now as later.
    /// </summary>
    private static int IncompleteTailLength(ReadOnlySpan<byte> bytes)
    {
        for (int length = 1; length <= 3 && length <= bytes.Length; length++)
        {
            byte b = bytes[^length];
            if ((b & 0xC0) == 0x80)
                continue; // A continuation byte: the sequence, if any, starts further back.
            return Rune.DecodeFromUtf8(bytes[^length..], out _, out _) == OperationStatus.NeedMoreData ? length : 0;
        }
        return 0;
    }

    private string AppendByRedecoding(int id)
    {
        _history.Add(id);
        string full = _tokenizer.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_history), _skipSpecialTokens);
        // A trailing U+FFFD may be an incomplete character that the next id completes.
        if (full.Length <= _emittedLength || full.EndsWith('\uFFFD'))
            return "";
        string delta = full[_emittedLength..];
        _emittedLength = full.Length;
        return delta;
    }
}
