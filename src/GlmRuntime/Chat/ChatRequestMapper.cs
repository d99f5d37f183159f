using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace GlmRuntime.Chat;

/// <summary>
/// Turns Microsoft.Extensions.AI messages and <see cref="ChatOptions"/> into the engine's
/// <see cref="GlmChatMessage"/>s, <see cref="SamplingParams"/> and thinking flag for <see cref="GlmChatClient"/>.
/// </summary>
internal static class ChatRequestMapper
{
    // SamplingParams members whose ChatOptions counterpart has another name; the rest share their name.
    private static readonly Dictionary<string, string> OptionNames = new(StringComparer.Ordinal)
    {
        [nameof(SamplingParams.MaxTokens)] = nameof(ChatOptions.MaxOutputTokens),
        [nameof(SamplingParams.Stop)] = nameof(ChatOptions.StopSequences),
        [nameof(SamplingParams.MinP)] = GlmChatClient.MinPKey,
        [nameof(SamplingParams.RepetitionPenalty)] = GlmChatClient.RepetitionPenaltyKey,
    };

    /// <summary>
    /// The conversation as GLM turns: <see cref="ChatOptions.Instructions"/> first as a system turn, then each message's
    /// role and the text of its <see cref="TextContent"/> items; an assistant's <see cref="FunctionCallContent"/> items
    /// become its tool calls, and each <see cref="FunctionResultContent"/> becomes a "tool" turn.
    /// </summary>
    /// <remarks>
    /// Reasoning of earlier assistant turns (<see cref="TextReasoningContent"/>) is not sent back: GLM's template
    /// drops past reasoning anyway.
    /// </remarks>
    public static List<GlmChatMessage> ToGlmMessages(IEnumerable<ChatMessage> messages, string? instructions)
    {
        var turns = new List<GlmChatMessage>();
        if (!string.IsNullOrEmpty(instructions))
            turns.Add(new GlmChatMessage(ChatRole.System.Value, instructions));
        foreach (ChatMessage message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            if (results.Count > 0)
            {
                // Each result is its own tool turn (GLM writes one <tool_response> per turn after one <|observation|>).
                foreach (FunctionResultContent result in results)
                    turns.Add(new GlmChatMessage("tool", ResultText(result)) { ToolCallId = result.CallId });
                continue;
            }
            var calls = message.Contents.OfType<FunctionCallContent>()
                .Select(call => new GlmToolCall(call.CallId, call.Name, JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>())))
                .ToList();
            turns.Add(new GlmChatMessage(message.Role.Value, TextOf(message)) { ToolCalls = calls.Count > 0 ? calls : null });
        }
        return turns;
    }

    /// <summary>The functions of <see cref="ChatOptions.Tools"/> (other tool kinds are not GLM's) as GLM tools.</summary>
    public static List<GlmTool>? ToGlmTools(ChatOptions? options)
    {
        if (options?.Tools is not { Count: > 0 } tools)
            return null;
        return tools.OfType<AIFunctionDeclaration>()
            .Select(f => new GlmTool(f.Name, string.IsNullOrEmpty(f.Description) ? null : f.Description, f.JsonSchema))
            .ToList();
    }

    /// <summary><see cref="ChatOptions.ToolMode"/> as a GLM tool choice: none, required, a named function, or auto.</summary>
    public static GlmToolChoice ToToolChoice(ChatOptions? options) => options?.ToolMode switch
    {
        NoneChatToolMode => GlmToolChoice.None,
        RequiredChatToolMode { RequiredFunctionName: { } name } => GlmToolChoice.Function(name),
        RequiredChatToolMode => GlmToolChoice.Required,
        _ => GlmToolChoice.Auto,
    };

    /// <summary>A function call's arguments, parsed from the model's JSON object, as <see cref="FunctionCallContent"/> wants them.</summary>
    public static FunctionCallContent ToFunctionCall(GlmToolCall call)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        using (var document = JsonDocument.Parse(call.ArgumentsJson))
        {
            // A key the model repeated keeps its last value, as JSON parsers do.
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
                arguments[property.Name] = property.Value.Clone();
        }
        return new FunctionCallContent(call.Id, call.Name, arguments);
    }

    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null => "",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } json => json.GetString()!,
        var other => JsonSerializer.Serialize(other),
    };

    /// <summary>
    /// The sampling parameters of one call: a <see cref="SamplingParams"/> returned by
    /// <see cref="ChatOptions.RawRepresentationFactory"/> as is, else <paramref name="defaults"/> overlaid with the
    /// options that are set. Validated.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the parameter name is the option's.</exception>
    /// <exception cref="ArgumentException">An option is invalid or has the wrong type; the parameter name is the option's.</exception>
    public static SamplingParams ToSamplingParams(ChatOptions? options, SamplingParams defaults, IChatClient client)
    {
        if (options?.RawRepresentationFactory?.Invoke(client) is SamplingParams raw)
        {
            // The caller's own parameters replace the mapping entirely (LLamaSharp's pattern); they name themselves.
            raw.Validate();
            return raw;
        }
        if (options is null)
            return defaults;

        var sampling = defaults with
        {
            Temperature = options.Temperature ?? defaults.Temperature,
            TopP = options.TopP ?? defaults.TopP,
            TopK = options.TopK ?? defaults.TopK,
            MaxTokens = options.MaxOutputTokens ?? defaults.MaxTokens,
            Stop = options.StopSequences is { } stop ? [.. stop] : defaults.Stop,
            Seed = options.Seed ?? defaults.Seed,
            FrequencyPenalty = options.FrequencyPenalty ?? defaults.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty ?? defaults.PresencePenalty,
            MinP = ReadNumber(options, GlmChatClient.MinPKey) ?? defaults.MinP,
            RepetitionPenalty = ReadNumber(options, GlmChatClient.RepetitionPenaltyKey) ?? defaults.RepetitionPenalty,
        };
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException ex) when (ex.ParamName is not null)
        {
            throw Renamed(ex, OptionNames.GetValueOrDefault(ex.ParamName, ex.ParamName));
        }
        return sampling;
    }

    /// <summary>
    /// GLM-5's <c>enable_thinking</c>: the <see cref="GlmChatClient.EnableThinkingKey"/> additional property when set,
    /// else off for <see cref="ReasoningEffort.None"/>, else on (GLM has no graded effort).
    /// </summary>
    /// <exception cref="ArgumentException">The additional property is not a boolean.</exception>
    public static bool IsThinkingEnabled(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(GlmChatClient.EnableThinkingKey, out object? value) == true && value is not null)
        {
            return value switch
            {
                bool flag => flag,
                JsonElement { ValueKind: JsonValueKind.True } => true,
                JsonElement { ValueKind: JsonValueKind.False } => false,
                string text when bool.TryParse(text, out bool parsed) => parsed,
                _ => throw new ArgumentException(
                    $"ChatOptions.AdditionalProperties[\"{GlmChatClient.EnableThinkingKey}\"] must be a boolean; it is {Describe(value)}.",
                    GlmChatClient.EnableThinkingKey),
            };
        }
        return options?.Reasoning?.Effort is not ReasoningEffort.None;
    }

    /// <summary>True unless the caller asked for no reasoning output (<see cref="ReasoningOutput.None"/>).</summary>
    public static bool IsReasoningOutputWanted(ChatOptions? options) => options?.Reasoning?.Output is not ReasoningOutput.None;

    private static string TextOf(ChatMessage message)
    {
        // Only TextContent: TextReasoningContent, data and tool items are not part of a GLM turn's content.
        var text = new StringBuilder();
        foreach (AIContent content in message.Contents)
        {
            if (content is TextContent { Text: { } part })
                text.Append(part);
        }
        return text.ToString();
    }

    /// <summary>A numeric additional property, or null when absent; callers may send numbers, strings or JSON.</summary>
    private static double? ReadNumber(ChatOptions options, string key)
    {
        if (options.AdditionalProperties?.TryGetValue(key, out object? value) != true || value is null)
            return null;
        double? number = value switch
        {
            sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal =>
                Convert.ToDouble(value, CultureInfo.InvariantCulture),
            JsonElement { ValueKind: JsonValueKind.Number } json => json.GetDouble(),
            string text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) ? parsed : null,
            _ => null,
        };
        return number ?? throw new ArgumentException(
            $"ChatOptions.AdditionalProperties[\"{key}\"] must be a number; it is {Describe(value)}.", key);
    }

    private static string Describe(object value) => $"{value} ({value.GetType().Name})";

    /// <summary>The same complaint, naming the ChatOptions option instead of the SamplingParams member.</summary>
    private static ArgumentException Renamed(ArgumentException ex, string option)
    {
        // ArgumentException.Message ends with " (Parameter '...')"; keep only the reason.
        string reason = ex.Message;
        int suffix = reason.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (suffix >= 0)
            reason = reason[..suffix];
        string message = $"Chat option {option} is invalid: {reason}";
        return ex is ArgumentOutOfRangeException range
            ? new ArgumentOutOfRangeException(option, range.ActualValue, message)
            : new ArgumentException(message, option, ex);
    }
}
