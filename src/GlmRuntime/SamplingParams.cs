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

    /// <summary>Fewest tokens to generate: until then eos and stop ids are masked out (stop strings still apply).</summary>
    public int MinTokens { get; init; }

    /// <summary>
    /// Divides positive logits and multiplies negative ones of every token seen in the prompt or the output
    /// (1 = off; &gt; 1 discourages repetition). Range (0, 2].
    /// </summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>Subtracted once from the logit of every token already generated (0 = off). Range [−2, 2].</summary>
    public double PresencePenalty { get; init; }

    /// <summary>Subtracted from a token's logit per time it was generated (0 = off). Range [−2, 2].</summary>
    public double FrequencyPenalty { get; init; }

    /// <summary>Added to the logits of the given token ids before sampling; clamped to ±100 as vLLM does.</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }

    /// <summary>
    /// Strings that end generation when they appear in the output text. The text up to the stop string is
    /// returned (the stop string too with <see cref="IncludeStopStringInOutput"/>); text that could be the start
    /// of a stop string is held back until it is decided.
    /// </summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Keep a matched stop string in the output text.</summary>
    public bool IncludeStopStringInOutput { get; init; }

    /// <summary>
    /// Log-probabilities to return per generated token: null is off, 0 returns the chosen token's, n also returns
    /// the n most likely alternatives (at most 20). They are computed from the model's raw logits (vLLM's default).
    /// </summary>
    public int? Logprobs { get; init; }

    /// <summary>Seed of this request's own random stream; null draws one.</summary>
    public long? Seed { get; init; }

    /// <summary>Token ids that end generation besides the model's eos ids.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Keep generating past the model's eos ids (stop ids still apply).</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>Leave special tokens (such as role markers) out of the streamed text.</summary>
    public bool SkipSpecialTokens { get; init; } = true;

    /// <summary>Most alternatives <see cref="Logprobs"/> may ask for.</summary>
    public const int MaxLogprobs = 20;

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
        if (MinTokens < 0 || MinTokens > MaxTokens)
            throw new ArgumentOutOfRangeException(nameof(MinTokens), MinTokens, "MinTokens must be in [0, MaxTokens].");
        if (!(RepetitionPenalty > 0 && RepetitionPenalty <= 2))
            throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), RepetitionPenalty, "RepetitionPenalty must be in (0, 2].");
        if (!(PresencePenalty >= -2 && PresencePenalty <= 2))
            throw new ArgumentOutOfRangeException(nameof(PresencePenalty), PresencePenalty, "PresencePenalty must be in [-2, 2].");
        if (!(FrequencyPenalty >= -2 && FrequencyPenalty <= 2))
            throw new ArgumentOutOfRangeException(nameof(FrequencyPenalty), FrequencyPenalty, "FrequencyPenalty must be in [-2, 2].");
        if (Logprobs is < 0 or > MaxLogprobs)
            throw new ArgumentOutOfRangeException(nameof(Logprobs), Logprobs, $"Logprobs must be in [0, {MaxLogprobs}].");
        ArgumentNullException.ThrowIfNull(StopTokenIds, nameof(StopTokenIds));
        ArgumentNullException.ThrowIfNull(Stop, nameof(Stop));
        foreach (string stop in Stop)
        {
            if (string.IsNullOrEmpty(stop))
                throw new ArgumentException("Stop strings must not be null or empty.", nameof(Stop));
        }
        if (LogitBias is not null)
        {
            foreach (var (token, bias) in LogitBias)
            {
                if (token < 0 || !float.IsFinite(bias))
                    throw new ArgumentException($"LogitBias entry {token}: {bias} needs a token id ≥ 0 and a finite bias.", nameof(LogitBias));
            }
        }
    }
}
