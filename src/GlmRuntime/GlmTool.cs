using System.Text.Json;

namespace GlmRuntime;

/// <summary>
/// A function the model may call (OpenAI's <c>tools[].function</c>): it is written into the prompt's tool preamble
/// and its parameter schema tells the tool-call parser which arguments are strings.
/// </summary>
/// <param name="Name">The function's name, as the model must write it.</param>
/// <param name="Description">What it does, for the model; null leaves it out.</param>
/// <param name="Parameters">A JSON Schema object for the arguments; null for none.</param>
public sealed record GlmTool(string Name, string? Description = null, JsonElement? Parameters = null)
{
    /// <summary>
    /// The JSON Schema type declared for argument <paramref name="argument"/> (<c>properties.NAME.type</c>); for a
    /// list of types, the single one that is not <c>"null"</c>; null when the schema does not say.
    /// </summary>
    public string? ArgumentType(string argument)
    {
        if (Parameters is not { ValueKind: JsonValueKind.Object } schema
            || !schema.TryGetProperty("properties", out JsonElement properties) || properties.ValueKind != JsonValueKind.Object
            || !properties.TryGetProperty(argument, out JsonElement property) || property.ValueKind != JsonValueKind.Object
            || !property.TryGetProperty("type", out JsonElement type))
            return null;
        if (type.ValueKind == JsonValueKind.String)
            return type.GetString();
        if (type.ValueKind != JsonValueKind.Array)
            return null;
        string[] types = type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String && t.GetString() != "null")
            .Select(t => t.GetString()!).ToArray();
        return types.Length == 1 ? types[0] : null;
    }

    /// <summary>The tool as the chat template receives it: OpenAI's <c>{"type": "function", "function": {...}}</c>.</summary>
    internal Dictionary<string, object?> ToTemplateValue()
    {
        var function = new Dictionary<string, object?> { ["name"] = Name };
        if (Description is not null)
            function["description"] = Description;
        if (Parameters is { } parameters)
            function["parameters"] = parameters;
        return new Dictionary<string, object?> { ["type"] = "function", ["function"] = function };
    }
}

/// <summary>A call the model made, or one an assistant turn of the history made.</summary>
/// <param name="Id">The call's id (OpenAI's <c>tool_calls[].id</c>), which the tool's answer refers to.</param>
/// <param name="Name">The function called.</param>
/// <param name="ArgumentsJson">The arguments as a JSON object, e.g. <c>{"city": "Paris", "days": 3}</c>.</param>
public sealed record GlmToolCall(string Id, string Name, string ArgumentsJson)
{
    /// <summary>A new call id in OpenAI's style: <c>call_</c> and 24 random letters and digits.</summary>
    public static string NewId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return "call_" + string.Create(24, 0, static (span, _) =>
        {
            for (int i = 0; i < span.Length; i++)
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        });
    }
}

/// <summary>One step of a tool call as it streams (OpenAI's <c>delta.tool_calls[]</c>).</summary>
/// <param name="Index">The call's position among this answer's calls, from 0.</param>
/// <param name="Id">The call's id on its first delta, else null.</param>
/// <param name="Name">The function's name on its first delta, else null.</param>
/// <param name="ArgumentsDelta">
/// The next piece of the arguments' JSON; the pieces of one call, concatenated, are its
/// <see cref="GlmToolCall.ArgumentsJson"/>.
/// </param>
public sealed record GlmToolCallDelta(int Index, string? Id, string? Name, string ArgumentsDelta);

/// <summary>Whether and how the model must call a tool (OpenAI's <c>tool_choice</c>).</summary>
public abstract record GlmToolChoice
{
    private GlmToolChoice()
    {
    }

    /// <summary>The model decides (the default when tools are given).</summary>
    public static GlmToolChoice Auto { get; } = new AutoChoice();

    /// <summary>Tools are neither offered nor parsed.</summary>
    public static GlmToolChoice None { get; } = new NoneChoice();

    /// <summary>
    /// The answer is a tool call: the prompt ends with an opened <c>&lt;tool_call&gt;</c>, so thinking is skipped.
    /// </summary>
    public static GlmToolChoice Required { get; } = new RequiredChoice();

    /// <summary>The answer is a call of <paramref name="name"/>: the prompt opens it, so thinking is skipped.</summary>
    public static GlmToolChoice Function(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new FunctionChoice(name);
    }

    /// <summary>The model decides.</summary>
    public sealed record AutoChoice : GlmToolChoice;

    /// <summary>No tools.</summary>
    public sealed record NoneChoice : GlmToolChoice;

    /// <summary>Some tool must be called.</summary>
    public sealed record RequiredChoice : GlmToolChoice;

    /// <summary>This function must be called.</summary>
    /// <param name="Name">The function's name.</param>
    public sealed record FunctionChoice(string Name) : GlmToolChoice;
}
