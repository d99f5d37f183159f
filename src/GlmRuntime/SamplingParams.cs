namespace GlmRuntime;

/// <summary>
/// How tokens are chosen, with vLLM's names and meanings: <see cref="Temperature"/> 0 is greedy,
/// <see cref="TopK"/> ≤ 0 and <see cref="TopP"/> 1 are off. <see cref="GlmEngine.DefaultSamplingParams"/> starts from
/// the model's generation_config.json, as sglang does.
/// </summary>
public sealed record SamplingParams
{
    /// <summary>Greedy decoding (temperature 0) with the default token limit.</summary>
    public static SamplingParams Greedy { get; } = new() { Temperature = 0 };

    /// <summary>Softmax temperature; 0 picks the most likely token.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this mass (1 = off).</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the K most likely tokens (≤ 0 = off).</summary>
    public int TopK { get; init; }

    /// <summary>Drop tokens whose probability is below this fraction of the most likely one's (0 = off).</summary>
    public double MinP { get; init; }

    /// <summary>Most tokens to generate.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Seed of this request's own random stream; null draws one.</summary>
    public long? Seed { get; init; }

    /// <summary>Token ids that end generation besides the model's eos ids.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Keep generating past the model's eos ids (stop ids still apply).</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>Leave special tokens (such as role markers) out of the streamed text.</summary>
    public bool SkipSpecialTokens { get; init; } = true;

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a finite value ≥ 0.");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be in (0, 1].");
        if (!(MinP >= 0 && MinP <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinP), MinP, "MinP must be in [0, 1].");
        if (MaxTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must be at least 1.");
        ArgumentNullException.ThrowIfNull(StopTokenIds, nameof(StopTokenIds));
    }
}
