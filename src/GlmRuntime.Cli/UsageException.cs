namespace GlmRuntime.Cli;

/// <summary>The command line is wrong; printed with the usage text and exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
