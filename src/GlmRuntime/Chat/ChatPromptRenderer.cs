using System.Text.Json;

namespace GlmRuntime.Chat;

/// <summary>
/// Renders a conversation, with its tools and tool calls, through the checkpoint's chat template or GLM-5's built-in
/// format; and opens the forced tool call of <see cref="GlmToolChoice.Required"/> or a named function.
/// </summary>
internal sealed class ChatPromptRenderer
{
    private readonly ChatTemplate? _template;
    private readonly string? _bosToken;
    private readonly string? _eosToken;

    public ChatPromptRenderer(ChatTemplate? template, string? bosToken, string? eosToken)
    {
        _template = template;
        _bosToken = bosToken;
        _eosToken = eosToken;
    }

    /// <summary>The name of the call a tool choice forces: "" for any function, null when none is forced.</summary>
    public static string? ForcedCallName(GlmToolChoice? choice, IReadOnlyList<GlmTool>? tools) => choice switch
    {
        _ when tools is not { Count: > 0 } => null,
        GlmToolChoice.RequiredChoice => "",
        GlmToolChoice.FunctionChoice function => function.Name,
        _ => null,
    };

    /// <summary>True when the request's tools are offered to the model and its answer is parsed for calls.</summary>
    public static bool ToolsActive(GlmToolChoice? choice, IReadOnlyList<GlmTool>? tools) =>
        tools is { Count: > 0 } && choice is not GlmToolChoice.NoneChoice;

    /// <summary>The prompt of a chat request: thinking is skipped when a tool call is forced, which the prompt opens.</summary>
    /// <exception cref="ArgumentException">A tool choice names a function that is not among the tools.</exception>
    public string RenderRequest(GenerationRequest request)
    {
        bool tools = ToolsActive(request.ToolChoice, request.Tools);
        string? forced = ForcedCallName(request.ToolChoice, request.Tools);
        if (forced is { Length: > 0 } && !request.Tools!.Any(t => t.Name == forced))
            throw new ArgumentException($"The tool choice names function '{forced}', which is not among the request's tools.", nameof(request));
        string prompt = Render(request.Messages!, tools ? request.Tools : null, addGenerationPrompt: true,
            enableThinking: request.EnableThinking && forced is null);
        return forced is null ? prompt : prompt + GlmToolCallParser.CallOpen + forced;
    }

    /// <exception cref="ArgumentException">A tool call's arguments are not a JSON object.</exception>
    /// <exception cref="ChatTemplateException">The template fails to render.</exception>
    public string Render(IReadOnlyList<GlmChatMessage> messages, IReadOnlyList<GlmTool>? tools, bool addGenerationPrompt, bool enableThinking)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.Select(ToTemplateValue).ToList();
        List<object?>? toolList = tools is { Count: > 0 } ? tools.Select(t => (object?)t.ToTemplateValue()).ToList() : null;
        if (_template is null)
            return Glm5ChatFormat.Render(list, toolList, addGenerationPrompt, enableThinking);
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = list,
            ["add_generation_prompt"] = addGenerationPrompt,
            ["enable_thinking"] = enableThinking,
            ["bos_token"] = _bosToken,
            ["eos_token"] = _eosToken,
        };
        if (toolList is not null)
            variables["tools"] = toolList;
        return _template.Render(variables);
    }

    private static IReadOnlyDictionary<string, object?> ToTemplateValue(GlmChatMessage message, int index)
    {
        var value = new Dictionary<string, object?> { ["role"] = message.Role, ["content"] = message.Content };
        if (message.ReasoningContent is not null)
            value["reasoning_content"] = message.ReasoningContent;
        if (message.ToolCallId is not null)
            value["tool_call_id"] = message.ToolCallId;
        if (message.ToolCalls is { Count: > 0 } calls)
        {
            value["tool_calls"] = calls.Select((call, c) => (object?)new Dictionary<string, object?>
            {
                ["id"] = call.Id,
                ["type"] = "function",
                // Templates iterate the arguments as a mapping (GLM's `arguments.items()`), so they go in parsed.
                ["function"] = new Dictionary<string, object?> { ["name"] = call.Name, ["arguments"] = ParseArguments(call, index, c) },
            }).ToList();
        }
        return value;
    }

    private static JsonElement ParseArguments(GlmToolCall call, int message, int index)
    {
        try
        {
            using var document = JsonDocument.Parse(call.ArgumentsJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                return document.RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        throw new ArgumentException(
            $"Message {message}, tool call {index} ('{call.Name}'): the arguments must be a JSON object; they are '{Shorten(call.ArgumentsJson)}'.",
            "messages");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
