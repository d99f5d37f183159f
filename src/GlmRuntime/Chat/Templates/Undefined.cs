namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Jinja's default <c>Undefined</c>: falsy, prints as nothing, iterates as empty, and its attributes and items
/// are undefined too (lenient, like @huggingface/jinja). Operations where jinja2 raises (arithmetic,
/// calling it, JSON-dumping it) fail with <see cref="Hint"/>.
/// </summary>
internal sealed class Undefined
{
    public Undefined(string hint) => Hint = hint;

    /// <summary>Why the value is undefined, phrased as jinja2 does (<c>'foo' is undefined</c>).</summary>
    public string Hint { get; }

    public static Undefined ForName(string name) => new($"'{name}' is undefined");

    public static Undefined ForAttribute(object? owner, object? attribute) =>
        new($"'{PyValues.TypeName(owner)} object' has no attribute {PyFormat.Repr(attribute)}");

    public TemplateError Fail() => new(Hint);

    public override string ToString() => "";
}
