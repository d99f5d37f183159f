namespace GlmRuntime.Tokenization;

/// <summary>
/// Raised when a tokenizer file cannot be read or uses a component this library does not implement.
/// The message always names the file and, where one is at fault, the JSON path of the component or field.
/// </summary>
public sealed class TokenizerException : Exception
{
    /// <summary>Creates an exception with a plain message.</summary>
    /// <param name="message">What went wrong.</param>
    public TokenizerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception that wraps the error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public TokenizerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the file and the JSON path at fault.</summary>
    /// <param name="sourceName">The file (or other source) being read.</param>
    /// <param name="jsonPath">The JSON path of the component or field at fault, e.g. <c>$.pre_tokenizer.pretokenizers[1]</c>; null when the whole file is at fault.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public TokenizerException(string sourceName, string? jsonPath, string message, Exception? innerException = null)
        : base(Format(sourceName, jsonPath, message), innerException)
    {
        SourceName = sourceName;
        JsonPath = jsonPath;
    }

    /// <summary>The file (or other source) being read, when known.</summary>
    public string? SourceName { get; }

    /// <summary>The JSON path of the component or field at fault, when known.</summary>
    public string? JsonPath { get; }

    private static string Format(string sourceName, string? jsonPath, string message) =>
        jsonPath is null ? $"{sourceName}: {message}" : $"{sourceName}: {jsonPath}: {message}";
}
