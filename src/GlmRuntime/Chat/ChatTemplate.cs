using System.Text.Json;
using GlmRuntime.Chat.Templates;

namespace GlmRuntime.Chat;

/// <summary>
/// A parsed Hugging Face chat template (the Jinja <c>chat_template</c> of <c>tokenizer_config.json</c>),
/// rendered with the semantics of transformers' <c>apply_chat_template</c>: jinja2 with <c>trim_blocks</c> and
/// <c>lstrip_blocks</c>, Python value printing (<c>True</c>, <c>None</c>, list repr), HF's <c>tojson</c>,
/// <c>raise_exception</c> and <c>strftime_now</c>. Parse once, render many times; instances are immutable and
/// safe to render from several threads.
/// </summary>
/// <remarks>
/// Supported: text, <c>{{ }}</c>, <c>{% %}</c>, <c>{# #}</c>, whitespace control, <c>raw</c>, <c>if/elif/else</c>,
/// <c>for</c> (with <c>else</c>, an <c>if</c> filter, tuple targets and <c>loop</c>), <c>set</c> (names, tuples,
/// <c>ns.attr</c>, block set), <c>macro</c>, <c>call</c>, <c>filter</c>, <c>with</c>, <c>do</c>,
/// <c>break</c>/<c>continue</c>, <c>generation</c>; Python-like expressions, filters, tests and
/// str/dict/list methods. Not supported: <c>include</c>/<c>extends</c>/<c>import</c>/<c>block</c> and recursive loops.
/// </remarks>
public sealed class ChatTemplate
{
    private readonly IReadOnlyList<Node> _body;
    private readonly TemplateLimits _limits;

    private ChatTemplate(string source, string? name, IReadOnlyList<Node> body, TemplateLimits limits)
    {
        Source = source;
        Name = name;
        _body = body;
        _limits = limits;
    }

    /// <summary>The template text as given to <see cref="Parse(string, string)"/>.</summary>
    public string Source { get; }

    /// <summary>The name used in error messages, if any.</summary>
    public string? Name { get; }

    /// <summary>Parses a template.</summary>
    /// <param name="source">Jinja template text.</param>
    /// <param name="name">Optional name that prefixes error messages (e.g. the checkpoint folder).</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ChatTemplateException">The template has a syntax error, an unknown tag, filter or test, or an unclosed block.</exception>
    public static ChatTemplate Parse(string source, string? name = null) => Parse(source, name, TemplateLimits.Default);

    internal static ChatTemplate Parse(string source, string? name, TemplateLimits limits)
    {
        ArgumentNullException.ThrowIfNull(source);
        IReadOnlyList<Node> body = TemplateParser.Parse(new SourceText(source, name), limits);
        return new ChatTemplate(source, name, body, limits);
    }

    /// <summary>Renders the template.</summary>
    /// <param name="variables">
    /// Template variables (<c>messages</c>, <c>tools</c>, <c>add_generation_prompt</c>, <c>bos_token</c>, ...). Values may be
    /// null, bool, integers, floating-point numbers, strings, <see cref="IDictionary{TKey, TValue}"/> /
    /// <see cref="IReadOnlyDictionary{TKey, TValue}"/> with string keys, other sequences, <see cref="JsonElement"/> or
    /// <see cref="System.Text.Json.Nodes.JsonNode"/>; dictionary order is preserved.
    /// </param>
    /// <returns>The rendered prompt.</returns>
    /// <exception cref="ArgumentException">A variable holds a value of an unsupported type or is nested too deeply.</exception>
    /// <exception cref="ChatTemplateException">
    /// Rendering failed: the template called <c>raise_exception</c> (<see cref="ChatTemplateException.IsRaisedByTemplate"/>),
    /// hit a runtime error, or exceeded a loop, output-size or recursion limit.
    /// </exception>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var scope = NewGlobalScope();
        foreach (var (key, value) in variables)
            scope.Set(key, ValueConverter.FromDotNet(value));
        return new Interpreter(Name, _limits).Render(_body, scope);
    }

    /// <summary>
    /// Renders the template with the properties of a JSON object as variables, e.g.
    /// <c>{"messages": [...], "tools": [...], "add_generation_prompt": true, "bos_token": "&lt;s&gt;"}</c>.
    /// JSON integers become ints, other numbers floats; object key order is preserved.
    /// </summary>
    /// <param name="variablesObject">A JSON object.</param>
    /// <returns>The rendered prompt.</returns>
    /// <exception cref="ArgumentException"><paramref name="variablesObject"/> is not a JSON object.</exception>
    /// <exception cref="ChatTemplateException">Rendering failed (see <see cref="Render(IReadOnlyDictionary{string, object})"/>).</exception>
    public string Render(JsonElement variablesObject)
    {
        if (variablesObject.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"Template variables must be a JSON object, not {variablesObject.ValueKind}.", nameof(variablesObject));
        var scope = NewGlobalScope();
        foreach (JsonProperty property in variablesObject.EnumerateObject())
            scope.Set(property.Name, ValueConverter.FromJson(property.Value));
        return new Interpreter(Name, _limits).Render(_body, scope);
    }

    private Scope NewGlobalScope()
    {
        var globals = new Scope();
        Globals.Install(globals, _limits);
        // Variables live in a child of the globals so a caller's value shadows a global of the same name.
        return new Scope(globals);
    }
}
