namespace GlmChat;

/// <summary>What a line typed at the chat prompt asks for.</summary>
internal enum ReplCommand
{
    /// <summary>A blank line: nothing to do.</summary>
    Empty,

    /// <summary>A message to the model.</summary>
    Say,

    /// <summary><c>/reset</c>: forget the conversation (the system prompt stays).</summary>
    Reset,

    /// <summary><c>/exit</c> or <c>/quit</c>.</summary>
    Exit,

    /// <summary><c>/help</c>.</summary>
    Help,

    /// <summary>Any other line starting with <c>/</c>.</summary>
    Unknown,
}
