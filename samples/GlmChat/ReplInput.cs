namespace GlmChat;

/// <summary>Classifies a line typed at the chat prompt.</summary>
internal static class ReplInput
{
    public const string Help =
        "Commands: /reset clears the conversation, /exit (or Ctrl+D) quits, /help shows this.\n" +
        "Ctrl+C stops the answer being written; at the prompt it quits. Start a message with // to send a leading /.";

    /// <summary>The command a line asks for and, for <see cref="ReplCommand.Say"/>, the message to send.</summary>
    public static (ReplCommand Command, string Message) Parse(string line)
    {
        string trimmed = line.Trim();
        if (trimmed.Length == 0)
            return (ReplCommand.Empty, "");
        if (trimmed.StartsWith("//", StringComparison.Ordinal))
            return (ReplCommand.Say, trimmed[1..]);
        if (!trimmed.StartsWith('/'))
            return (ReplCommand.Say, trimmed);
        return trimmed.ToLowerInvariant() switch
        {
            "/reset" => (ReplCommand.Reset, ""),
            "/exit" or "/quit" => (ReplCommand.Exit, ""),
            "/help" or "/?" => (ReplCommand.Help, ""),
            _ => (ReplCommand.Unknown, trimmed),
        };
    }
}
