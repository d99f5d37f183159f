namespace GlmRuntime;

/// <summary>
/// One generation to run: a prompt (text, token ids or chat messages, exactly one), how to sample, and its
/// place in the queue. Build with <see cref="FromText"/>, <see cref="FromTokens"/> or <see cref="FromChat"/>.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>A text prompt, encoded as is (special tokens written out are recognized).</summary>
    public string? Prompt { get; init; }

    /// <summary>A tokenized prompt.</summary>
    public IReadOnlyList<int>? PromptTokenIds { get; init; }

    /// <summary>A conversation, rendered with the checkpoint's chat template and an assistant prompt.</summary>
    public IReadOnlyList<GlmChatMessage>? Messages { get; init; }

    /// <summary>GLM-5's <c>enable_thinking</c> for <see cref="Messages"/>: open the reasoning block (true) or skip it.</summary>
    public bool EnableThinking { get; init; } = true;

    /// <summary>Functions the model may call with <see cref="Messages"/>; written into the prompt's tool preamble.</summary>
    public IReadOnlyList<GlmTool>? Tools { get; init; }

    /// <summary>Whether the model must call one of <see cref="Tools"/>; null means <see cref="GlmToolChoice.Auto"/>.</summary>
    public GlmToolChoice? ToolChoice { get; init; }

    /// <summary>
    /// Rejects the request (<see cref="ArgumentException"/> naming <c>MaxPromptTokens</c>) when its prompt has more
    /// tokens; servers bound untrusted input with it. Null: only the context limit applies.
    /// </summary>
    public int? MaxPromptTokens { get; init; }

    /// <summary>How to sample; null uses <see cref="GlmEngine.DefaultSamplingParams"/>.</summary>
    public SamplingParams? Sampling { get; init; }

    /// <summary>
    /// Queue priority under <see cref="SchedulingPolicy.Priority"/>: lower values run first, ties by arrival
    /// (vLLM's convention). Ignored under first-come-first-served.
    /// </summary>
    public int Priority { get; init; }

    /// <summary>A request with a text prompt.</summary>
    public static GenerationRequest FromText(string prompt, SamplingParams? sampling = null) => new() { Prompt = prompt, Sampling = sampling };

    /// <summary>A request with a tokenized prompt.</summary>
    public static GenerationRequest FromTokens(IReadOnlyList<int> promptTokenIds, SamplingParams? sampling = null) =>
        new() { PromptTokenIds = promptTokenIds, Sampling = sampling };

    /// <summary>A chat request.</summary>
    public static GenerationRequest FromChat(IReadOnlyList<GlmChatMessage> messages, SamplingParams? sampling = null, bool enableThinking = true) =>
        new() { Messages = messages, Sampling = sampling, EnableThinking = enableThinking };
}
