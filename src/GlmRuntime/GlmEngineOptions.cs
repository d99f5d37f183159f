namespace GlmRuntime;

/// <summary>Options of <see cref="GlmEngine.LoadAsync"/>.</summary>
public sealed record GlmEngineOptions
{
    /// <summary>Longest sequence (prompt plus output) served; null uses the model's max_position_embeddings.</summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>CPU threads for the compute kernels; null uses every core.</summary>
    public int? ThreadCount { get; init; }

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (MaxSequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "MaxSequenceLength must be at least 1.");
        if (ThreadCount is < 1)
            throw new ArgumentOutOfRangeException(nameof(ThreadCount), ThreadCount, "ThreadCount must be at least 1.");
    }
}
