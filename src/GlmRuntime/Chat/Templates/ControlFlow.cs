namespace GlmRuntime.Chat.Templates;

/// <summary>How a statement list finished: normally, or by <c>break</c>/<c>continue</c> travelling up to its loop.</summary>
internal enum ControlFlow
{
    /// <summary>Ran to the end.</summary>
    Normal,
    /// <summary>A <c>{% break %}</c> ended the innermost loop.</summary>
    Break,
    /// <summary>A <c>{% continue %}</c> ended the current iteration.</summary>
    Continue,
}
