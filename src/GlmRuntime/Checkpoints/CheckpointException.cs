namespace GlmRuntime.Checkpoints;

/// <summary>
/// A checkpoint file, tensor or configuration entry is malformed or does not fit the model. The message
/// names the file, the tensor and the field at fault.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming what is at fault.</param>
    /// <param name="filePath">The file at fault, when one is.</param>
    /// <param name="tensorName">The tensor at fault, when one is.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CheckpointException(string message, string? filePath = null, string? tensorName = null, Exception? innerException = null)
        : base(Compose(message, filePath, tensorName), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file at fault, or null.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor at fault, or null.</summary>
    public string? TensorName { get; }

    private static string Compose(string message, string? filePath, string? tensorName)
    {
        string where = (filePath, tensorName) switch
        {
            (not null, not null) => $"{filePath}: tensor '{tensorName}': ",
            (not null, null) => $"{filePath}: ",
            (null, not null) => $"tensor '{tensorName}': ",
            _ => "",
        };
        return where + message;
    }
}
