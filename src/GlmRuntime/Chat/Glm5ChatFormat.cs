using System.Text;
using System.Text.Json;
using GlmRuntime.Chat.Templates;

namespace GlmRuntime.Chat;

/// <summary>
/// The built-in GLM-5 chat format (MODEL.md §5.2) for checkpoints that ship no chat template:
/// <c>[gMASK]&lt;sop&gt;</c>, role tokens with no newline after them and no end-of-turn token, reasoning in
/// <c>&lt;think&gt;…&lt;/think&gt;</c> kept only after the last user message, tool calls as
/// <c>&lt;tool_call&gt;name&lt;arg_key&gt;k&lt;/arg_key&gt;&lt;arg_value&gt;v&lt;/arg_value&gt;&lt;/tool_call&gt;</c>, and one
/// <c>&lt;|observation|&gt;</c> per run of tool results.
/// </summary>
/// <remarks>
/// Written in C# rather than as an embedded Jinja template: the reference ("tmpl", the GLM-5 renderer that
/// mirrors the shipped template) is itself procedural Python, so a direct port keeps each rule next to the
/// spec sentence it implements and is testable without the template engine in the loop. JSON follows
/// Python's <c>json.dumps(..., ensure_ascii=False)</c>: one line with <c>", "</c> and <c>": "</c> separators,
/// which is what the renderer and the GLM Jinja template's <c>tojson</c> emit for tools and non-string arguments.
/// </remarks>
public static class Glm5ChatFormat
{
    private const string ToolsHeader =
        "\n# Tools\n\n" +
        "You may call one or more functions to assist with the user query.\n\n" +
        "You are provided with function signatures within <tools></tools> XML tags:\n" +
        "<tools>\n";

    private const string ToolsFooter =
        "</tools>\n\n" +
        "For each function call, output the function name and arguments within the following XML format:\n" +
        "<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value>" +
        "<arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>";

    /// <summary>
    /// Renders from a JSON object with <c>messages</c> (required), and optionally <c>tools</c>,
    /// <c>add_generation_prompt</c> (default false), <c>enable_thinking</c> (default true) and
    /// <c>clear_thinking</c> (default true).
    /// </summary>
    /// <param name="variablesObject">The request as a JSON object.</param>
    /// <returns>The prompt text, special tokens written out.</returns>
    /// <exception cref="ArgumentException"><paramref name="variablesObject"/> is not an object, or <c>messages</c> is missing, not an array, or holds a message without a role.</exception>
    public static string Render(JsonElement variablesObject)
    {
        if (variablesObject.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"Chat variables must be a JSON object, not {variablesObject.ValueKind}.", nameof(variablesObject));
        if (!variablesObject.TryGetProperty("messages", out JsonElement messages) || messages.ValueKind != JsonValueKind.Array)
            throw new ArgumentException("Chat variables need a 'messages' array.", nameof(variablesObject));

        object? Optional(string name) => variablesObject.TryGetProperty(name, out JsonElement e) ? ValueConverter.FromJson(e) : null;
        bool Flag(string name, bool fallback) => variablesObject.TryGetProperty(name, out JsonElement e) ? PyValues.IsTruthy(ValueConverter.FromJson(e)) : fallback;

        return RenderCore(
            PyValues.Iterate(ValueConverter.FromJson(messages)),
            Optional("tools") as IReadOnlyList<object?>,
            Flag("add_generation_prompt", false),
            Flag("enable_thinking", true),
            Flag("clear_thinking", true));
    }

    /// <summary>Renders from .NET values.</summary>
    /// <param name="messages">
    /// Messages as dictionaries: <c>role</c> (system/user/assistant/tool), <c>content</c> (string or a list of parts
    /// whose <c>text</c> parts are concatenated), and for assistants optionally <c>reasoning_content</c> and
    /// <c>tool_calls</c> (each with <c>function.name</c> and <c>function.arguments</c> as an object or a JSON string).
    /// Values may also be <see cref="JsonElement"/>/<see cref="System.Text.Json.Nodes.JsonNode"/>.
    /// </param>
    /// <param name="tools">Tool definitions, each dumped as given into the <c>&lt;|system|&gt;</c> tool preamble.</param>
    /// <param name="addGenerationPrompt">Append the assistant prompt.</param>
    /// <param name="enableThinking">Generation prompt opens <c>&lt;think&gt;</c> (true) or closes it (false).</param>
    /// <param name="clearThinking">Drop reasoning of assistant turns before the last user message (the default).</param>
    /// <returns>The prompt text, special tokens written out.</returns>
    /// <exception cref="ArgumentException">A message has no role or holds an unsupported value type.</exception>
    public static string Render(IReadOnlyList<IReadOnlyDictionary<string, object?>> messages, IReadOnlyList<object?>? tools = null,
        bool addGenerationPrompt = false, bool enableThinking = true, bool clearThinking = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var converted = messages.Select(m => ValueConverter.FromDotNet(m)).ToList();
        var convertedTools = tools is null ? null : (IReadOnlyList<object?>?)ValueConverter.FromDotNet(tools);
        return RenderCore(converted, convertedTools, addGenerationPrompt, enableThinking, clearThinking);
    }

    private static string RenderCore(IReadOnlyList<object?> messages, IReadOnlyList<object?>? tools, bool addGenerationPrompt, bool enableThinking, bool clearThinking)
    {
        var sb = new StringBuilder("[gMASK]<sop>");
        if (tools is { Count: > 0 })
        {
            sb.Append("<|system|>").Append(ToolsHeader);
            foreach (object? tool in tools)
                sb.Append(PyJson.Dumps(tool)).Append('\n');
            sb.Append(ToolsFooter);
        }

        string[] roles = messages.Select((m, i) => Field(m, "role") as string
            ?? throw new ArgumentException($"Message {i} has no 'role' string.", nameof(messages))).ToArray();
        int lastUser = Array.LastIndexOf(roles, "user");
        for (int i = 0; i < messages.Count; i++)
        {
            string content = VisibleText(Field(messages[i], "content"));
            switch (roles[i])
            {
                case "system":
                    sb.Append("<|system|>").Append(content);
                    break;
                case "user":
                    sb.Append("<|user|>").Append(content);
                    break;
                case "assistant":
                    bool keepReasoning = i > lastUser || !clearThinking;
                    AppendAssistant(sb, messages[i], content, keepReasoning);
                    break;
                case "tool":
                    if (i == 0 || roles[i - 1] != "tool")
                        sb.Append("<|observation|>");
                    sb.Append("<tool_response>").Append(content).Append("</tool_response>");
                    break;
            }
        }

        if (addGenerationPrompt)
            sb.Append("<|assistant|>").Append(enableThinking ? "<think>" : "</think>");
        return sb.ToString();
    }

    private static void AppendAssistant(StringBuilder sb, object? message, string content, bool keepReasoning)
    {
        string reasoning = "";
        if (Field(message, "reasoning_content") is string explicitReasoning)
        {
            reasoning = explicitReasoning;
        }
        else
        {
            int close = content.IndexOf("</think>", StringComparison.Ordinal);
            if (close >= 0)
            {
                string before = content[..close];
                int open = before.LastIndexOf("<think>", StringComparison.Ordinal);
                reasoning = PyString.Strip(open >= 0 ? before[(open + "<think>".Length)..] : before, "\n", left: true, right: true);
                content = PyString.Strip(content[(close + "</think>".Length)..], "\n", left: true, right: false);
            }
        }

        sb.Append("<|assistant|>");
        if (keepReasoning && reasoning.Length > 0)
            sb.Append("<think>").Append(PyString.Strip(reasoning, null, left: true, right: true)).Append("</think>");
        else
            sb.Append("</think>");

        string visible = PyString.Strip(content, null, left: true, right: true);
        sb.Append(visible);

        if (Field(message, "tool_calls") is not IReadOnlyList<object?> toolCalls)
            return;
        foreach (object? call in toolCalls)
        {
            object? function = Field(call, "function") is { } f && PyValues.IsTruthy(f) ? f : call;
            sb.Append("<tool_call>").Append(PyFormat.Str(Field(function, "name") ?? ""));
            if (Arguments(Field(function, "arguments")) is JinjaDict arguments)
            {
                foreach (var (key, value) in arguments)
                {
                    sb.Append("<arg_key>").Append(PyFormat.Str(key)).Append("</arg_key><arg_value>")
                      .Append(value as string ?? PyJson.Dumps(value)).Append("</arg_value>");
                }
            }
            sb.Append("</tool_call>");
        }
    }

    /// <summary>OpenAI sends arguments as a JSON string; others send an object. Unparseable strings count as no arguments.</summary>
    private static object? Arguments(object? arguments)
    {
        if (arguments is not string json)
            return arguments;
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return ValueConverter.FromJson(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The shipped template's <c>visible_text</c>: strings as is, lists reduced to their text parts, anything else
    /// printed Python-style, so a missing or null content prints <c>None</c> (a quirk the reference keeps).
    /// </summary>
    private static string VisibleText(object? content)
    {
        if (content is string s)
            return s;
        if (content is not IReadOnlyList<object?> parts)
            return PyFormat.Str(content);
        var sb = new StringBuilder();
        foreach (object? part in parts)
        {
            if (part is string text)
                sb.Append(text);
            else if (part is JinjaDict dict && Field(dict, "type") is "text")
                sb.Append(PyFormat.Str(Field(dict, "text") ?? ""));
        }
        return sb.ToString();
    }

    private static object? Field(object? message, string name) =>
        message is JinjaDict dict && dict.TryGetValue(name, out object? value) ? value : null;
}
