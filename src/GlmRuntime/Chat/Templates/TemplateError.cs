namespace GlmRuntime.Chat.Templates;

/// <summary>
/// A runtime failure raised by value operations that do not know where in the template they run.
/// The evaluator catches it at the innermost AST node and rethrows it as a located
/// <see cref="ChatTemplateException"/>.
/// </summary>
internal sealed class TemplateError : Exception
{
    public TemplateError(string message, bool raisedByTemplate = false)
        : base(message)
    {
        RaisedByTemplate = raisedByTemplate;
    }

    /// <summary>True for <c>raise_exception(msg)</c>.</summary>
    public bool RaisedByTemplate { get; }
}
