namespace GlmRuntime.Chat;

/// <summary>
/// Splits a streamed thinking-mode completion into reasoning and answer. GLM-5's chat template ends a
/// thinking prompt with <c>&lt;think&gt;</c>, so the output is reasoning up to the first <c>&lt;/think&gt;</c> and
/// the answer after it; the tag itself belongs to neither. One instance per generation; not thread-safe.
/// </summary>
/// <remarks>
/// The end of the reasoning is found two ways, whichever comes first:
/// <list type="bullet">
/// <item>By token id, when <c>&lt;/think&gt;</c> is a special token that the engine leaves out of the text
/// (SkipSpecialTokens). The text of the update that carries it cannot be cut by looking at it, so the reasoning's
/// length is measured instead: the ids before the tag are decoded once, and that many characters of the engine's
/// text stream, counted from the start, are reasoning. This stays right when the tag sits in the middle of a
/// multi-token update, and when the engine held reasoning characters back (a possible stop-string prefix or an
/// incomplete UTF-8 character) and releases them in a later update.</item>
/// <item>By the literal text <c>&lt;/think&gt;</c>, when the engine writes special tokens out or the tokenizer
/// does not treat the tag as special. The tag may be split across updates, so a reasoning tail that could start it
/// is held back until the next update decides (or the stream ends).</item>
/// </list>
/// </remarks>
internal sealed class ReasoningSplitter
{
    /// <summary>The tag that closes GLM's reasoning block.</summary>
    public const string EndTag = "</think>";

    private readonly int? _endTokenId;
    private readonly Func<int[], string>? _decode;

    // Ids generated before the end token; null once it was seen, or always when detection by id is off.
    private List<int>? _reasoningIds;
    // Characters of engine text received while _reasoningIds was collecting.
    private int _textSeen;
    // After the end token: characters of engine text still owed to the reasoning.
    private int? _reasoningCharsLeft;
    // Reasoning tail that could be the start of a literal end tag.
    private string _pending = "";
    // Past the split: everything from now on is answer.
    private bool _answering;

    /// <summary>Creates a splitter for one generation that starts inside the reasoning block.</summary>
    /// <param name="endTokenId">
    /// Id of the special <c>&lt;/think&gt;</c> token when the engine leaves it out of the text; null to rely on the
    /// literal tag only.
    /// </param>
    /// <param name="decode">
    /// Decodes ids to text exactly as the engine's stream does (special tokens skipped); needed with
    /// <paramref name="endTokenId"/>.
    /// </param>
    public ReasoningSplitter(int? endTokenId, Func<int[], string>? decode)
    {
        if (endTokenId is not null)
        {
            ArgumentNullException.ThrowIfNull(decode);
            _reasoningIds = [];
        }
        _endTokenId = endTokenId;
        _decode = decode;
    }

    /// <summary>
    /// Tokens of the reasoning block (the closing tag included) when the split was found by token id, or all tokens
    /// so far when the stream ended inside the reasoning; null when it cannot be told from ids (literal tag).
    /// Final after <see cref="Flush"/>.
    /// </summary>
    public int? ReasoningTokenCount { get; private set; }

    /// <summary>Feeds one engine update and returns the reasoning and the answer text it completes (either may be empty).</summary>
    /// <param name="text">The update's text delta.</param>
    /// <param name="tokenIds">The update's token ids.</param>
    public (string Reasoning, string Answer) Push(string text, IReadOnlyList<int> tokenIds)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (_answering)
            return ("", text);

        var (before, after, closed) = SplitAtEndToken(text, tokenIds);
        string buffer = _pending + before;
        _pending = "";
        int tag = buffer.IndexOf(EndTag, StringComparison.Ordinal);
        if (tag >= 0)
        {
            // A literal tag ended the reasoning first; tokens cannot be attributed to either side by text alone.
            _answering = true;
            _reasoningIds = null;
            ReasoningTokenCount = null;
            return (buffer[..tag], buffer[(tag + EndTag.Length)..] + after);
        }
        if (closed)
        {
            _answering = true;
            return (buffer, after);
        }
        int hold = GlmToolCallParser.HeldBack(buffer, EndTag);
        _pending = buffer[^hold..];
        return (buffer[..^hold], after);
    }

    /// <summary>Ends the stream: returns the reasoning text still held back (a tail that turned out not to be a tag).</summary>
    public string Flush()
    {
        if (!_answering && _reasoningIds is not null)
            ReasoningTokenCount = _reasoningIds.Count; // the whole output was reasoning
        string rest = _pending;
        _pending = "";
        return rest;
    }

    /// <summary>
    /// Divides an update's text at the end token: the part still owed to the reasoning, the part after it, and
    /// whether all reasoning text has now been delivered. Without detection by id everything is "before".
    /// </summary>
    private (string Before, string After, bool Closed) SplitAtEndToken(string text, IReadOnlyList<int> tokenIds)
    {
        if (_reasoningIds is not null)
        {
            int at = IndexOf(tokenIds, _endTokenId!.Value);
            if (at < 0)
            {
                _reasoningIds.AddRange(tokenIds);
                _textSeen += text.Length;
                return (text, "", false);
            }
            for (int i = 0; i < at; i++)
                _reasoningIds.Add(tokenIds[i]);
            ReasoningTokenCount = _reasoningIds.Count + 1;
            // The reasoning is exactly the decode of the ids before the tag; what the engine has not sent of it yet
            // comes first in this and the following updates.
            int reasoningLength = _decode!(_reasoningIds.ToArray()).Length;
            _reasoningCharsLeft = Math.Max(0, reasoningLength - _textSeen);
            _reasoningIds = null;
        }
        if (_reasoningCharsLeft is not int left)
            return (text, "", false);
        int take = Math.Min(left, text.Length);
        _reasoningCharsLeft = left - take;
        return (text[..take], text[take..], left == take);
    }

    private static int IndexOf(IReadOnlyList<int> ids, int id)
    {
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] == id)
                return i;
        }
        return -1;
    }
}
