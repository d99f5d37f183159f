namespace GlmRuntime.Chat;

/// <summary>
/// A chat template failed to parse or render. <see cref="Exception.Message"/> names the template
/// (when it has a name), the 1-based line and column, and the construct at fault, e.g.
/// <c>line 3, column 12: unknown filter 'foo'</c>.
/// </summary>
public sealed class ChatTemplateException : Exception
{
    internal ChatTemplateException(string reason, int line, int column, string? templateName, bool isRaisedByTemplate, Exception? inner = null)
        : base(Format(reason, line, column, templateName), inner)
    {
        Reason = reason;
        Line = line;
        Column = column;
        TemplateName = templateName;
        IsRaisedByTemplate = isRaisedByTemplate;
    }

    /// <summary>1-based template line of the construct at fault.</summary>
    public int Line { get; }

    /// <summary>1-based column (in UTF-16 code units) of the construct at fault.</summary>
    public int Column { get; }

    /// <summary>The name given to <see cref="ChatTemplate.Parse(string, string)"/>, if any.</summary>
    public string? TemplateName { get; }

    /// <summary>The failure without its location; for <c>raise_exception(msg)</c> this is exactly <c>msg</c>.</summary>
    public string Reason { get; }

    /// <summary>
    /// True when the template itself called <c>raise_exception</c> (the request is unsupported by the template,
    /// e.g. roles do not alternate), as opposed to a template bug or a syntax error.
    /// </summary>
    public bool IsRaisedByTemplate { get; }

    private static string Format(string reason, int line, int column, string? templateName) =>
        templateName is null
            ? $"line {line}, column {column}: {reason}"
            : $"{templateName}: line {line}, column {column}: {reason}";
}
