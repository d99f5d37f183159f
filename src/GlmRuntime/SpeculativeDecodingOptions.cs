using System.Globalization;

namespace GlmRuntime;

/// <summary>
/// MTP speculative decoding (sglang's EAGLE/NEXTN with the model's own MTP layer): each round the MTP layer drafts
/// <see cref="Steps"/> tokens one after another, one target forward verifies the last accepted token plus the drafts,
/// and every accepted draft plus one target token is emitted. Greedy output is identical to decoding without it;
/// sampled output has the same distribution (exact speculative sampling).
/// </summary>
/// <remarks>
/// The triple maps to sglang's <c>--speculative-num-steps</c>, <c>--speculative-eagle-topk</c> and
/// <c>--speculative-num-draft-tokens</c>; GLM-5's recipe is 3/1/4 (<see cref="Glm5Recipe"/>), community GLM-5.x
/// deployments use 5/1/6. Drafts form a chain (top-k 1), so the draft token count is always steps + 1.
/// </remarks>
public sealed record SpeculativeDecodingOptions
{
    /// <summary>Most draft steps a round may have.</summary>
    public const int MaxSteps = 16;

    /// <summary>GLM-5's official sglang recipe: 3 steps, top-k 1, 4 draft tokens.</summary>
    public static SpeculativeDecodingOptions Glm5Recipe { get; } = new() { Steps = 3 };

    /// <summary>Draft steps (MTP forwards) per round: S. Each round emits 1 to S + 1 tokens.</summary>
    public int Steps { get; init; } = 3;

    /// <summary>Branching per draft step: K. Only 1 (a chain verified with causal attention) is supported.</summary>
    public int TopK { get; init; } = 1;

    /// <summary>Tokens one verify forward runs, the root included: N. With <see cref="TopK"/> 1 it must be
    /// <see cref="Steps"/> + 1; null means that.</summary>
    public int? DraftTokens { get; init; }

    /// <summary>
    /// What a draft step after the first pairs with the previous draft token: the MTP's output after
    /// shared_head.norm (sglang, the default) or before it (vLLM). GLM-5 was trained with depth 1, so both
    /// extrapolate; the choice only changes how many drafts are accepted, never the output.
    /// </summary>
    public MtpDraftState DraftState { get; init; } = MtpDraftState.PostNorm;

    /// <summary>N as used: <see cref="DraftTokens"/> or <see cref="Steps"/> + 1.</summary>
    public int VerifyTokenCount => DraftTokens ?? Steps + 1;

    /// <summary>Throws when the triple is not one the engine runs, naming the parameter.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range or the triple is inconsistent.</exception>
    public void Validate()
    {
        if (Steps is < 1 or > MaxSteps)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, $"Speculative Steps must be in [1, {MaxSteps}].");
        if (TopK != 1)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK,
                "Speculative TopK must be 1: drafts are a chain verified with causal attention (tree drafts are not supported).");
        if (DraftTokens is { } n && n != Steps + 1)
            throw new ArgumentOutOfRangeException(nameof(DraftTokens), n, $"With TopK 1, DraftTokens must be Steps + 1 = {Steps + 1}.");
        if (!Enum.IsDefined(DraftState))
            throw new ArgumentOutOfRangeException(nameof(DraftState), DraftState, "Unknown MTP draft state.");
    }

    /// <summary>Parses sglang's triple written "steps/topk/draft-tokens", e.g. "3/1/4".</summary>
    /// <exception cref="FormatException">The text is not three slash-separated integers, or the triple is invalid.</exception>
    public static SpeculativeDecodingOptions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 3 || !TryInt(parts[0], out int steps) || !TryInt(parts[1], out int topK) || !TryInt(parts[2], out int draftTokens))
            throw new FormatException($"'{text}' is not a speculative triple: write steps/topk/draft-tokens, e.g. 3/1/4.");
        var options = new SpeculativeDecodingOptions { Steps = steps, TopK = topK, DraftTokens = draftTokens };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException error)
        {
            throw new FormatException($"'{text}': {error.Message}", error);
        }
        return options;
    }

    /// <summary>The triple as sglang writes it, e.g. "3/1/4".</summary>
    public override string ToString() => $"{Steps}/{TopK}/{VerifyTokenCount}";

    private static bool TryInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

/// <summary>The MTP output a recursive draft step carries forward as its hidden state (MODEL.md §4.1).</summary>
public enum MtpDraftState
{
    /// <summary>After shared_head.norm, as sglang's NextN forward returns it.</summary>
    PostNorm,

    /// <summary>Before shared_head.norm, as vLLM's MTP layer returns it.</summary>
    PreNorm,
}
