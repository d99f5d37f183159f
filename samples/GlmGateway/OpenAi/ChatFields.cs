using System.Text;
using System.Text.Json;
using GlmRuntime;

namespace GlmGateway.OpenAi;

/// <summary>The chat-only fields: messages (with tool calls and tool results), tools, tool_choice and thinking.</summary>
internal static class ChatFields
{
    public static List<GlmChatMessage> ReadMessages(JsonFields fields)
    {
        if (fields.Get("messages") is not { } messages)
            throw OpenAiException.BadField("messages", "'messages' is required.");
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw OpenAiException.BadField("messages", "'messages' must be a non-empty array.");
        var turns = new List<GlmChatMessage>();
        int i = 0;
        foreach (JsonElement element in messages.EnumerateArray())
        {
            var message = fields.Object($"messages[{i}]", element);
            string role = message.String("role") ?? throw OpenAiException.BadField(message.Name("role"), $"'{message.Name("role")}' is required.");
            role = role switch
            {
                "developer" => "system", // OpenAI's newer name for the system role
                "system" or "user" or "assistant" or "tool" => role,
                _ => throw OpenAiException.BadField(message.Name("role"),
                    $"'{message.Name("role")}' must be system, developer, user, assistant or tool; it is '{role}'."),
            };
            var turn = new GlmChatMessage(role, Content(message))
            {
                ReasoningContent = message.String("reasoning_content"),
                ToolCallId = message.String("tool_call_id"),
                ToolCalls = role == "assistant" ? ToolCalls(message) : null,
            };
            if (role == "user" && turn.Content.Length == 0 && message.Get("content") is null)
                throw OpenAiException.BadField(message.Name("content"), $"'{message.Name("content")}' is required for a user message.");
            turns.Add(turn);
            i++;
        }
        return turns;
    }

    /// <summary>tools and tool_choice; tool_choice without tools is refused as OpenAI does.</summary>
    public static (List<GlmTool>? Tools, GlmToolChoice? Choice) ReadTools(JsonFields fields)
    {
        List<GlmTool>? tools = null;
        if (fields.Get("tools") is { } array)
        {
            if (array.ValueKind != JsonValueKind.Array)
                throw fields.Wrong("tools", "an array", array);
            tools = [];
            int i = 0;
            foreach (JsonElement element in array.EnumerateArray())
            {
                var tool = fields.Object($"tools[{i}]", element);
                if ((tool.String("type") ?? "function") != "function")
                    throw OpenAiException.BadField(tool.Name("type"), $"'{tool.Name("type")}' must be 'function'.");
                var function = tool.Get("function") is { } f ? tool.Object("function", f)
                    : throw OpenAiException.BadField(tool.Name("function"), $"'{tool.Name("function")}' is required.");
                string name = function.String("name") is { Length: > 0 } n ? n
                    : throw OpenAiException.BadField(function.Name("name"), $"'{function.Name("name")}' is required.");
                JsonElement? parameters = function.Get("parameters") is { } p ? function.Object("parameters", p).Element.Clone() : null;
                tools.Add(new GlmTool(name, function.String("description"), parameters));
                i++;
            }
        }

        if (fields.Get("tool_choice") is not { } choice)
            return (tools, null);
        GlmToolChoice parsed = choice.ValueKind switch
        {
            JsonValueKind.String => choice.GetString() switch
            {
                "none" => GlmToolChoice.None,
                "auto" => GlmToolChoice.Auto,
                "required" => GlmToolChoice.Required,
                var other => throw OpenAiException.BadField("tool_choice", $"'tool_choice' must be none, auto, required or a function; it is '{other}'."),
            },
            JsonValueKind.Object => GlmToolChoice.Function(NamedFunction(fields.Object("tool_choice", choice))),
            _ => throw fields.Wrong("tool_choice", "a string or an object", choice),
        };
        if (parsed is not GlmToolChoice.NoneChoice and not GlmToolChoice.AutoChoice && tools is not { Count: > 0 })
            throw OpenAiException.BadField("tool_choice", "'tool_choice' requires 'tools'.");
        if (parsed is GlmToolChoice.FunctionChoice named && !tools!.Any(t => t.Name == named.Name))
            throw OpenAiException.BadField("tool_choice", $"'tool_choice' names function '{named.Name}', which is not among 'tools'.");
        return (tools, parsed);
    }

    /// <summary>
    /// GLM-5's enable_thinking: <c>chat_template_kwargs.enable_thinking</c> (vLLM/sglang), else
    /// <c>thinking.type</c> "enabled"/"disabled" (Z.ai's API); on by default.
    /// </summary>
    public static bool ReadThinking(JsonFields fields)
    {
        if (fields.Get("chat_template_kwargs") is { } kwargs && fields.Object("chat_template_kwargs", kwargs).Bool("enable_thinking") is { } flag)
            return flag;
        if (fields.Get("thinking") is { } thinking)
        {
            var type = fields.Object("thinking", thinking).String("type");
            return type switch
            {
                null or "enabled" => true,
                "disabled" => false,
                _ => throw OpenAiException.BadField("thinking.type", $"'thinking.type' must be 'enabled' or 'disabled'; it is '{type}'."),
            };
        }
        return true;
    }

    private static string NamedFunction(JsonFields choice)
    {
        var function = choice.Get("function") is { } f ? choice.Object("function", f)
            : throw OpenAiException.BadField(choice.Name("function"), $"'{choice.Name("function")}' is required.");
        return function.String("name") is { Length: > 0 } name ? name
            : throw OpenAiException.BadField(function.Name("name"), $"'{function.Name("name")}' is required.");
    }

    /// <summary>A string, or the text parts of a content array (other parts are refused: this model reads text only).</summary>
    private static string Content(JsonFields message)
    {
        if (message.Get("content") is not { } content)
            return "";
        if (content.ValueKind == JsonValueKind.String)
            return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array)
            throw message.Wrong("content", "a string or an array of content parts", content);
        var text = new StringBuilder();
        int i = 0;
        foreach (JsonElement element in content.EnumerateArray())
        {
            var part = message.Object($"content[{i}]", element);
            string? type = part.String("type");
            if (type != "text")
                throw OpenAiException.BadField(part.Name("type"), $"'{part.Name("type")}' must be 'text' (this model reads text only); it is '{type}'.");
            text.Append(part.String("text") ?? throw OpenAiException.BadField(part.Name("text"), $"'{part.Name("text")}' is required."));
            i++;
        }
        return text.ToString();
    }

    private static List<GlmToolCall>? ToolCalls(JsonFields message)
    {
        if (message.Get("tool_calls") is not { } array)
            return null;
        if (array.ValueKind != JsonValueKind.Array)
            throw message.Wrong("tool_calls", "an array", array);
        var calls = new List<GlmToolCall>();
        int i = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            var call = message.Object($"tool_calls[{i}]", element);
            var function = call.Get("function") is { } f ? call.Object("function", f)
                : throw OpenAiException.BadField(call.Name("function"), $"'{call.Name("function")}' is required.");
            string name = function.String("name") ?? throw OpenAiException.BadField(function.Name("name"), $"'{function.Name("name")}' is required.");
            string arguments = function.Get("arguments") switch
            {
                null => "{}",
                { ValueKind: JsonValueKind.String } s => s.GetString()!,
                { ValueKind: JsonValueKind.Object } o => o.GetRawText(),
                var other => throw function.Wrong("arguments", "a JSON object encoded as a string", other.Value),
            };
            if (!IsJsonObject(arguments))
                throw OpenAiException.BadField(function.Name("arguments"), $"'{function.Name("arguments")}' must be a JSON object encoded as a string.");
            calls.Add(new GlmToolCall(call.String("id") ?? GlmToolCall.NewId(), name, arguments));
            i++;
        }
        return calls;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
