using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GlmRuntime.Chat;

/// <summary>
/// Turns GLM-4.7/GLM-5 tool-call markup in a streamed answer into OpenAI tool calls, incrementally (vLLM's and
/// sglang's <c>glm47</c> parser): <c>&lt;tool_call&gt;name&lt;arg_key&gt;k&lt;/arg_key&gt;&lt;arg_value&gt;v&lt;/arg_value&gt;…&lt;/tool_call&gt;</c>
/// (MODEL.md §5.2). Text outside the markup is content. One instance per answer; not thread-safe.
/// </summary>
/// <remarks>
/// <para>Arguments become a JSON object written as it streams: <c>{"k": </c> when a value opens, the value, then
/// <c>, </c> or <c>}</c>. The template writes string values raw and other values as JSON, so a value is a JSON string
/// when the tool's schema declares the argument a string (streamed character by character), else the value itself
/// when it parses as JSON (numbers, booleans, objects, arrays), else a string.</para>
/// <para>A tag may arrive split across pushes: text that could begin one is held back until the next push (or
/// <see cref="Flush"/>) decides. Whitespace between the tags of a call is ignored, and so is stray text there.</para>
/// </remarks>
internal sealed class GlmToolCallParser
{
    public const string CallOpen = "<tool_call>";
    public const string CallClose = "</tool_call>";
    private const string KeyOpen = "<arg_key>";
    private const string KeyClose = "</arg_key>";
    private const string ValueOpen = "<arg_value>";
    private const string ValueClose = "</arg_value>";

    private static readonly JsonSerializerOptions JsonStrings = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private enum State { Content, Name, BetweenArguments, Key, BeforeValue, Value }

    private readonly Dictionary<string, GlmTool> _tools;
    private readonly List<GlmToolCall> _calls = [];
    private State _state;
    private string _pending = "";
    // The name, key or (unstreamed) value being read.
    private readonly StringBuilder _field = new();
    private readonly StringBuilder _arguments = new();
    private string _callId = "";
    private string _callName = "";
    private string _key = "";
    private int _argumentCount;
    private bool _streamingString;
    // The <tool_call> being read was written by the prompt, not the model (so it is not the model's text).
    private bool _callOpenedByPrompt;
    // The start of a call the prompt opened, returned by the first Push or Flush.
    private List<GlmToolCallDelta>? _startDeltas;

    /// <summary>Creates a parser for one answer.</summary>
    /// <param name="tools">The request's tools, whose schemas say which arguments are strings.</param>
    /// <param name="openCallName">
    /// The answer starts inside a call whose <c>&lt;tool_call&gt;</c> the prompt already wrote: "" when the model
    /// still writes the name (tool choice "required"), the name when the prompt wrote it too; null to start in content.
    /// </param>
    public GlmToolCallParser(IReadOnlyList<GlmTool>? tools, string? openCallName = null)
    {
        _tools = new Dictionary<string, GlmTool>(StringComparer.Ordinal);
        foreach (GlmTool tool in tools ?? [])
            _tools.TryAdd(tool.Name, tool);
        if (openCallName is "")
        {
            _state = State.Name;
            _callOpenedByPrompt = true;
        }
        else if (openCallName is not null)
        {
            // The prompt wrote the name: the call has started, whatever the model writes before its first argument.
            _startDeltas = [];
            StartCall(openCallName, _startDeltas);
            _state = State.BetweenArguments;
        }
    }

    /// <summary>The calls completed so far, in order.</summary>
    public IReadOnlyList<GlmToolCall> Calls => _calls;

    /// <summary>Feeds answer text; returns the content it completes and the tool-call deltas it produced.</summary>
    public (string Content, IReadOnlyList<GlmToolCallDelta> Deltas) Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var content = new StringBuilder();
        var deltas = TakeStartDeltas();
        string input = _pending + text;
        _pending = "";
        int at = 0;
        while (at < input.Length && Step(input, ref at, content, deltas))
        {
        }
        _pending = input[at..];
        return (content.ToString(), deltas);
    }

    /// <summary>
    /// Ends the answer: returns held-back content, and closes a call cut off by the token limit so that its arguments
    /// are still a JSON object (a call cut off before its name was complete is returned as content instead).
    /// </summary>
    public (string Content, IReadOnlyList<GlmToolCallDelta> Deltas) Flush()
    {
        var deltas = TakeStartDeltas();
        string content = "";
        string rest = _pending;
        _pending = "";
        switch (_state)
        {
            case State.Content:
                content = rest;
                break;
            case State.Name:
                content = (_callOpenedByPrompt ? "" : CallOpen) + _field + rest;
                break;
            case State.Value:
                if (_streamingString)
                    Emit(deltas, Escape(rest) + "\"");
                else
                    Emit(deltas, ValueJson(_field.Append(rest).ToString()));
                EndCall(deltas);
                break;
            default:
                EndCall(deltas); // a key without a value is dropped
                break;
        }
        _state = State.Content;
        _field.Clear();
        return (content, deltas);
    }

    private List<GlmToolCallDelta> TakeStartDeltas()
    {
        var deltas = _startDeltas ?? [];
        _startDeltas = null;
        return deltas;
    }

    /// <summary>Consumes what it can of <paramref name="input"/> from <paramref name="at"/>; false when it must wait for more.</summary>
    private bool Step(string input, ref int at, StringBuilder content, List<GlmToolCallDelta> deltas)
    {
        ReadOnlySpan<char> rest = input.AsSpan(at);
        switch (_state)
        {
            case State.Content:
            {
                int open = rest.IndexOf(CallOpen, StringComparison.Ordinal);
                if (open < 0)
                {
                    int hold = HeldBack(rest, CallOpen);
                    content.Append(rest[..^hold]);
                    at = input.Length - hold;
                    return false;
                }
                content.Append(rest[..open]);
                at += open + CallOpen.Length;
                _state = State.Name;
                _field.Clear();
                return true;
            }
            case State.Name:
            {
                int key = rest.IndexOf(KeyOpen, StringComparison.Ordinal);
                int close = rest.IndexOf(CallClose, StringComparison.Ordinal);
                int end = key < 0 ? close : close < 0 ? key : Math.Min(key, close);
                if (end < 0)
                    return Accumulate(input, ref at, KeyOpen, CallClose);
                _field.Append(rest[..end]);
                StartCall(_field.ToString().Trim(), deltas);
                bool closes = end == close;
                at += end + (closes ? CallClose.Length : KeyOpen.Length);
                if (closes)
                    EndCall(deltas);
                else
                    _state = State.Key;
                return true;
            }
            case State.Key:
            {
                int close = rest.IndexOf(KeyClose, StringComparison.Ordinal);
                if (close < 0)
                    return Accumulate(input, ref at, KeyClose);
                _key = _field.Append(rest[..close]).ToString().Trim();
                _field.Clear();
                at += close + KeyClose.Length;
                _state = State.BeforeValue;
                return true;
            }
            case State.BeforeValue:
            {
                int skip = LeadingWhitespace(rest);
                rest = rest[skip..];
                at += skip;
                if (rest.Length == 0)
                    return false;
                if (rest.StartsWith(ValueOpen, StringComparison.Ordinal))
                {
                    at += ValueOpen.Length;
                    OpenValue(deltas);
                    return true;
                }
                // A key without a value: drop it, and go on with the next argument or the end of the call.
                if (rest.StartsWith(CallClose, StringComparison.Ordinal) || rest.StartsWith(KeyOpen, StringComparison.Ordinal))
                {
                    _state = State.BetweenArguments;
                    return true;
                }
                if (ValueOpen.StartsWith(rest, StringComparison.Ordinal) || CallClose.StartsWith(rest, StringComparison.Ordinal)
                    || KeyOpen.StartsWith(rest, StringComparison.Ordinal))
                    return false;
                OpenValue(deltas); // the value's opening tag is missing: read the text as the value
                return true;
            }
            case State.Value:
            {
                int close = rest.IndexOf(ValueClose, StringComparison.Ordinal);
                if (close < 0)
                {
                    if (!_streamingString)
                        return Accumulate(input, ref at, ValueClose);
                    int hold = HeldBack(rest, ValueClose);
                    Emit(deltas, Escape(rest[..^hold]));
                    at = input.Length - hold;
                    return false;
                }
                at += close + ValueClose.Length;
                Emit(deltas, _streamingString ? Escape(rest[..close]) + "\"" : ValueJson(_field.Append(rest[..close]).ToString()));
                _field.Clear();
                _state = State.BetweenArguments;
                return true;
            }
            case State.BetweenArguments:
            {
                if (rest.StartsWith(KeyOpen, StringComparison.Ordinal))
                {
                    at += KeyOpen.Length;
                    _state = State.Key;
                    return true;
                }
                if (rest.StartsWith(CallClose, StringComparison.Ordinal))
                {
                    at += CallClose.Length;
                    EndCall(deltas);
                    return true;
                }
                if (KeyOpen.StartsWith(rest, StringComparison.Ordinal) || CallClose.StartsWith(rest, StringComparison.Ordinal))
                    return false;
                // Whitespace or stray text between arguments: not part of the call, and never content.
                int next = rest[1..].IndexOf('<');
                at += next < 0 ? rest.Length : next + 1;
                return true;
            }
            default:
                throw new InvalidOperationException($"Unknown parser state {_state}.");
        }
    }

    /// <summary>Adds the rest of the input to the field being read, except a tail that could start one of the tags.</summary>
    private bool Accumulate(string input, ref int at, string tag, string? otherTag = null)
    {
        ReadOnlySpan<char> rest = input.AsSpan(at);
        int hold = Math.Max(HeldBack(rest, tag), otherTag is null ? 0 : HeldBack(rest, otherTag));
        _field.Append(rest[..^hold]);
        at = input.Length - hold;
        return false;
    }

    private void StartCall(string name, List<GlmToolCallDelta> deltas)
    {
        _callOpenedByPrompt = false;
        _callId = GlmToolCall.NewId();
        _callName = name;
        _argumentCount = 0;
        _arguments.Clear();
        _field.Clear();
        deltas.Add(new GlmToolCallDelta(_calls.Count, _callId, name, ""));
    }

    private void OpenValue(List<GlmToolCallDelta> deltas)
    {
        _tools.TryGetValue(_callName, out GlmTool? tool);
        _streamingString = tool?.ArgumentType(_key) == "string";
        string separator = _argumentCount++ == 0 ? "{" : ", ";
        Emit(deltas, separator + JsonSerializer.Serialize(_key, JsonStrings) + ": " + (_streamingString ? "\"" : ""));
        _field.Clear();
        _state = State.Value;
    }

    private void EndCall(List<GlmToolCallDelta> deltas)
    {
        Emit(deltas, _argumentCount == 0 ? "{}" : "}");
        _calls.Add(new GlmToolCall(_callId, _callName, _arguments.ToString()));
        _state = State.Content;
    }

    private void Emit(List<GlmToolCallDelta> deltas, string json)
    {
        if (json.Length == 0)
            return;
        _arguments.Append(json);
        deltas.Add(new GlmToolCallDelta(_calls.Count, null, null, json));
    }

    /// <summary>A value of unknown or non-string type: itself when it is JSON, else a JSON string of the raw text.</summary>
    private string ValueJson(string raw)
    {
        string trimmed = raw.Trim();
        if (trimmed.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                return trimmed;
            }
            catch (JsonException)
            {
                // Python literals that the model may write for booleans and null.
                switch (trimmed)
                {
                    case "True": return "true";
                    case "False": return "false";
                    case "None": return "null";
                }
            }
        }
        return JsonSerializer.Serialize(raw, JsonStrings);
    }

    private static string Escape(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
            return "";
        string quoted = JsonSerializer.Serialize(text.ToString(), JsonStrings);
        return quoted[1..^1];
    }

    private static int LeadingWhitespace(ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
            i++;
        return i;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of <paramref name="tag"/>.</summary>
    internal static int HeldBack(ReadOnlySpan<char> text, string tag)
    {
        for (int length = Math.Min(tag.Length - 1, text.Length); length > 0; length--)
        {
            if (text[^length..].SequenceEqual(tag.AsSpan(0, length)))
                return length;
        }
        return 0;
    }
}
