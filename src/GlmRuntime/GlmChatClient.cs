using System.Runtime.CompilerServices;
using GlmRuntime.Chat;
using GlmRuntime.Tokenization;
using Microsoft.Extensions.AI;

namespace GlmRuntime;

/// <summary>
/// A Microsoft.Extensions.AI <see cref="IChatClient"/> over a <see cref="GlmEngine"/>: conversations are rendered
/// with the checkpoint's chat template, GLM-5's thinking is returned as <see cref="TextReasoningContent"/> and the
/// answer as <see cref="TextContent"/>, and the last update carries the finish reason and token usage.
/// Create with <see cref="GlmEngineChatClientExtensions.AsChatClient"/>.
/// </summary>
/// <remarks>
/// <para>Options: <see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.TopP"/>, <see cref="ChatOptions.TopK"/>,
/// <see cref="ChatOptions.MaxOutputTokens"/>, <see cref="ChatOptions.StopSequences"/>, <see cref="ChatOptions.Seed"/>,
/// <see cref="ChatOptions.FrequencyPenalty"/> and <see cref="ChatOptions.PresencePenalty"/> overlay
/// <see cref="GlmEngine.DefaultSamplingParams"/>; the additional properties <see cref="MinPKey"/>,
/// <see cref="RepetitionPenaltyKey"/> and <see cref="EnableThinkingKey"/> are honoured too. A
/// <see cref="SamplingParams"/> returned by <see cref="ChatOptions.RawRepresentationFactory"/> replaces that mapping.
/// <see cref="ChatOptions.Instructions"/> becomes a leading system message. <see cref="ChatOptions.Reasoning"/> with
/// effort <see cref="ReasoningEffort.None"/> turns thinking off, and output <see cref="ReasoningOutput.None"/> leaves
/// the reasoning text out. <see cref="ChatOptions.Tools"/> (functions) go into GLM's tool preamble and the model's
/// <c>&lt;tool_call&gt;</c> markup comes back as <see cref="FunctionCallContent"/> (finish reason
/// <see cref="ChatFinishReason.ToolCalls"/>); <see cref="ChatOptions.ToolMode"/> none, auto, require-any and
/// require-specific are honoured (a required call skips thinking). <see cref="FunctionCallContent"/> and
/// <see cref="FunctionResultContent"/> in the history become GLM's tool calls and tool responses.</para>
/// <para>Thread-safe: concurrent calls go to the engine concurrently, which batches them. Each streamed update's
/// <see cref="ChatResponseUpdate.RawRepresentation"/> is the engine's <see cref="ChatCompletionUpdate"/> (token ids,
/// logprobs).</para>
/// </remarks>
public sealed class GlmChatClient : IChatClient
{
    /// <summary>Provider name reported in <see cref="ChatClientMetadata"/>.</summary>
    public const string ProviderName = "GlmRuntime";

    /// <summary>Additional property: <see cref="SamplingParams.MinP"/> (a number in [0, 1]).</summary>
    public const string MinPKey = "min_p";

    /// <summary>Additional property: <see cref="SamplingParams.RepetitionPenalty"/> (a number in (0, 2]).</summary>
    public const string RepetitionPenaltyKey = "repetition_penalty";

    /// <summary>Additional property: GLM-5's <c>enable_thinking</c> (a boolean, default true).</summary>
    public const string EnableThinkingKey = "enable_thinking";

    private readonly GlmEngine _engine;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a chat client over <paramref name="engine"/>, which stays owned by the caller.</summary>
    /// <param name="engine">A loaded engine with a tokenizer.</param>
    /// <param name="modelId">Model id reported in responses and metadata; defaults to config.json's model_type.</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The engine's checkpoint has no tokenizer.</exception>
    public GlmChatClient(GlmEngine engine, string? modelId = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _ = engine.Tokenizer ?? throw new InvalidOperationException(
            "A chat client needs a tokenizer, and this model folder has no tokenizer.json; use GlmEngine with token ids instead.");
        _metadata = new ChatClientMetadata(ProviderName, providerUri: null, defaultModelId: modelId ?? engine.Config.ModelType);
    }

    /// <summary>Model id reported in responses.</summary>
    public string ModelId => _metadata.DefaultModelId!;

    /// <summary>
    /// Generates the assistant's answer: one assistant message holding the reasoning (when thinking) and the text,
    /// with the finish reason and usage. The streamed updates of
    /// <see cref="GetStreamingResponseAsync"/>, coalesced.
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Sampling and thinking options; null uses the engine's defaults with thinking on.</param>
    /// <param name="cancellationToken">Stops the generation.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the parameter name is the option's.</exception>
    /// <exception cref="ArgumentException">An option is invalid, or the prompt is too long for the engine.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        // One implementation for both paths, so streaming and non-streaming give the same text.
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Streams the assistant's answer: each update carries the reasoning and answer text of one engine step; the
    /// last carries the finish reason and a <see cref="UsageContent"/>. All updates share one response and message id.
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Sampling and thinking options; null uses the engine's defaults with thinking on.</param>
    /// <param name="cancellationToken">Stops the generation; the stream then throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (thrown here, before streaming); the parameter name is the option's.</exception>
    /// <exception cref="ArgumentException">An option is invalid (thrown here), or the prompt is too long for the engine (thrown by the stream).</exception>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        // Map and validate eagerly so that bad options throw at the call, not at the first MoveNextAsync.
        var sampling = ChatRequestMapper.ToSamplingParams(options, _engine.DefaultSamplingParams, this);
        var request = GenerationRequest.FromChat(ChatRequestMapper.ToGlmMessages(messages, options?.Instructions), sampling,
            ChatRequestMapper.IsThinkingEnabled(options)) with
        {
            Tools = ChatRequestMapper.ToGlmTools(options),
            ToolChoice = ChatRequestMapper.ToToolChoice(options),
        };
        var updates = _engine.GenerateChatCompletionStreamingAsync(request, cancellationToken);
        return StreamAsync(updates, ChatRequestMapper.IsReasoningOutputWanted(options), cancellationToken);
    }

    /// <summary>
    /// Returns <see cref="ChatClientMetadata"/>, the underlying <see cref="GlmEngine"/>, or this client for a type it
    /// implements; null for anything else or for a non-null <paramref name="serviceKey"/>.
    /// </summary>
    /// <param name="serviceType">The type of service wanted.</param>
    /// <param name="serviceKey">A key for keyed services; this client has none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is null.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(ChatClientMetadata))
            return _metadata;
        if (serviceType == typeof(GlmEngine))
            return _engine;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Does nothing: the engine belongs to whoever created it and must be disposed by them.</summary>
    public void Dispose()
    {
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IAsyncEnumerable<ChatCompletionUpdate> updates, bool emitReasoning,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string responseId = Guid.NewGuid().ToString("N");
        DateTimeOffset createdAt = DateTimeOffset.UtcNow;
        await foreach (ChatCompletionUpdate update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var contents = new List<AIContent>(3);
            if (emitReasoning && update.Reasoning.Length > 0)
                contents.Add(new TextReasoningContent(update.Reasoning));
            if (update.Content.Length > 0)
                contents.Add(new TextContent(update.Content));
            // Microsoft.Extensions.AI streams a function call as one complete item, so calls come with the last update.
            foreach (GlmToolCall call in update.ToolCalls)
                contents.Add(ChatRequestMapper.ToFunctionCall(call));
            if (update.FinishReason is not null && update.Usage is { } usage)
                contents.Add(new UsageContent(ToUsageDetails(usage, update.ReasoningTokenCount)));
            if (contents.Count == 0 && update.FinishReason is null)
                continue; // a step that completed no text (a held-back character, a tag)

            yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = ModelId,
                CreatedAt = createdAt,
                FinishReason = update.FinishReason switch
                {
                    FinishReason.Stop => ChatFinishReason.Stop,
                    FinishReason.Length => ChatFinishReason.Length,
                    FinishReason.ToolCalls => ChatFinishReason.ToolCalls,
                    _ => null,
                },
                RawRepresentation = update,
            };
        }
    }

    private static UsageDetails ToUsageDetails(GenerationUsage usage, int? reasoningTokenCount) => new()
    {
        InputTokenCount = usage.PromptTokenCount,
        OutputTokenCount = usage.CompletionTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.CachedTokenCount,
        // Without thinking there is no reasoning; with it, the count is known when the split was found by token id.
        ReasoningTokenCount = reasoningTokenCount,
    };
}
