using System.Runtime.CompilerServices;
using GlmRuntime.Chat;
using GlmRuntime.Configuration;
using GlmRuntime.Engine;
using GlmRuntime.Model;
using GlmRuntime.Tokenization;
using GlmRuntime.Weights;

namespace GlmRuntime;

/// <summary>
/// A loaded GLM-5-family model ready to generate. Load with <see cref="LoadAsync"/>; stream with
/// <see cref="GenerateStreamingAsync(string, SamplingParams?, CancellationToken)"/>. Safe to call from several
/// threads: requests run one after another on this version's single-sequence loop.
/// </summary>
public sealed class GlmEngine : IAsyncDisposable, IDisposable
{
    private readonly GlmModel _model;
    private readonly GenerationLoop _loop;
    private readonly ChatTemplate? _chatTemplate;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    private GlmEngine(GlmModel model, GlmTokenizer? tokenizer, GenerationConfig generation)
    {
        _model = model;
        Tokenizer = tokenizer;
        EosTokenIds = model.Config.EosTokenIds.Concat(generation.EosTokenIds).Distinct().ToArray();
        var defaults = new SamplingParams();
        DefaultSamplingParams = defaults with
        {
            Temperature = generation.Temperature ?? defaults.Temperature,
            TopP = generation.TopP ?? defaults.TopP,
            TopK = generation.TopK ?? defaults.TopK,
        };
        if (tokenizer?.Config?.ChatTemplate is { } source)
            _chatTemplate = ChatTemplate.Parse(source, "tokenizer_config.json:chat_template");
        _loop = new GenerationLoop(model, tokenizer, EosTokenIds);
    }

    /// <summary>The model's config.json.</summary>
    public GlmConfig Config => _model.Config;

    /// <summary>The checkpoint's tokenizer, or null when the folder has no tokenizer.json (token ids only).</summary>
    public GlmTokenizer? Tokenizer { get; }

    /// <summary>Sampling defaults from generation_config.json (temperature, top_p, top_k), else vLLM's.</summary>
    public SamplingParams DefaultSamplingParams { get; }

    /// <summary>Ids that end generation: config.json's and generation_config.json's eos_token_id.</summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>Longest sequence (prompt plus output) this engine serves.</summary>
    public int MaxSequenceLength => _model.MaxSequenceLength;

    /// <summary>Loads a model folder (config.json, safetensors, optional tokenizer and generation config files).</summary>
    /// <exception cref="ConfigException">config.json or generation_config.json is invalid.</exception>
    /// <exception cref="Checkpoints.CheckpointException">A weight file is malformed or a tensor is missing or misshapen.</exception>
    /// <exception cref="TokenizerException">tokenizer.json is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static async Task<GlmEngine> LoadAsync(string modelDirectory, GlmEngineOptions? options = null,
        IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        options ??= new GlmEngineOptions();
        options.Validate();
        if (!Directory.Exists(modelDirectory))
            throw new DirectoryNotFoundException($"Model folder '{modelDirectory}' does not exist.");
        return await Task.Run(() =>
        {
            var generation = GenerationConfig.Load(modelDirectory);
            string tokenizerFile = Path.Combine(modelDirectory, GlmTokenizer.TokenizerFileName);
            var tokenizer = File.Exists(tokenizerFile) ? GlmTokenizer.FromFile(tokenizerFile) : null;
            var model = GlmModel.Load(modelDirectory, progress, cancellationToken, options.ThreadCount, options.MaxSequenceLength);
            try
            {
                return new GlmEngine(model, tokenizer, generation);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Renders a conversation with the checkpoint's chat template (tokenizer_config.json or chat_template.jinja),
    /// or GLM-5's built-in format when the checkpoint has none.
    /// </summary>
    /// <param name="messages">The conversation so far.</param>
    /// <param name="addGenerationPrompt">End with the assistant prompt.</param>
    /// <param name="enableThinking">GLM-5's <c>enable_thinking</c>: the assistant prompt opens the reasoning block (true) or closes it.</param>
    /// <exception cref="ChatTemplateException">The template fails to render.</exception>
    public string FormatChatPrompt(IReadOnlyList<GlmChatMessage> messages, bool addGenerationPrompt = true, bool enableThinking = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.Select(m => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["role"] = m.Role,
            ["content"] = m.Content,
        }).ToList();
        if (_chatTemplate is null)
            return Glm5ChatFormat.Render(list, addGenerationPrompt: addGenerationPrompt, enableThinking: enableThinking);
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = list,
            ["add_generation_prompt"] = addGenerationPrompt,
            ["enable_thinking"] = enableThinking,
            ["bos_token"] = Tokenizer?.Config?.BosToken,
            ["eos_token"] = Tokenizer?.Config?.EosToken,
        };
        return _chatTemplate.Render(variables);
    }

    /// <summary>Streams the continuation of a text prompt (encoded as is: special tokens written out are recognized).</summary>
    /// <exception cref="InvalidOperationException">The checkpoint has no tokenizer.</exception>
    public IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(string prompt, SamplingParams? sampling = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return GenerateStreamingAsync(Encode(prompt), sampling, cancellationToken);
    }

    /// <summary>Streams the continuation of a tokenized prompt.</summary>
    /// <exception cref="ArgumentException">The prompt is empty, too long, or holds an id outside the vocabulary.</exception>
    public IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(IReadOnlyList<int> promptTokenIds, SamplingParams? sampling = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptTokenIds);
        ObjectDisposedException.ThrowIf(_disposed, this);
        sampling ??= DefaultSamplingParams;
        sampling.Validate();
        if (promptTokenIds.Count == 0)
            throw new ArgumentException("The prompt has no tokens.", nameof(promptTokenIds));
        foreach (int id in promptTokenIds)
        {
            if ((uint)id >= (uint)Config.VocabSize)
                throw new ArgumentException($"Prompt token id {id} is outside the vocabulary (vocab_size {Config.VocabSize}).", nameof(promptTokenIds));
        }
        return Serialized(promptTokenIds, sampling, cancellationToken);
    }

    /// <summary>
    /// Streams one request: updates with new token ids, text deltas and logprobs, then a final update with the
    /// finish reason and usage (prompt, cached and completion tokens, time to first token).
    /// </summary>
    /// <exception cref="ArgumentException">The request has no prompt or more than one, or the prompt is invalid.</exception>
    /// <exception cref="InvalidOperationException">A text or chat prompt on a checkpoint without a tokenizer.</exception>
    public IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return GenerateStreamingAsync(PromptOf(request), request.Sampling, cancellationToken);
    }

    /// <summary>Runs one request to completion.</summary>
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        CollectAsync(GenerateStreamingAsync(request, cancellationToken));

    /// <summary>
    /// Runs several requests together (they are all submitted to the scheduler at once and batch with each other
    /// and with other callers' requests); results come back in input order.
    /// </summary>
    public async Task<IReadOnlyList<GenerationResult>> GenerateBatchAsync(IReadOnlyList<GenerationRequest> requests,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var streams = requests.Select(r => GenerateStreamingAsync(r, cancellationToken)).ToArray();
        return await Task.WhenAll(streams.Select(CollectAsync)).ConfigureAwait(false);
    }

    /// <summary>Streams the assistant's answer to a conversation (the chat template is applied with an assistant prompt).</summary>
    public IAsyncEnumerable<GenerationUpdate> GenerateChatStreamingAsync(IReadOnlyList<GlmChatMessage> messages, SamplingParams? sampling = null,
        bool enableThinking = true, CancellationToken cancellationToken = default) =>
        GenerateStreamingAsync(GenerationRequest.FromChat(messages, sampling, enableThinking), cancellationToken);

    /// <summary>Generates the assistant's answer to a conversation.</summary>
    public Task<GenerationResult> GenerateChatAsync(IReadOnlyList<GlmChatMessage> messages, SamplingParams? sampling = null,
        bool enableThinking = true, CancellationToken cancellationToken = default) =>
        CollectAsync(GenerateChatStreamingAsync(messages, sampling, enableThinking, cancellationToken));

    /// <summary>Generates to completion.</summary>
    /// <exception cref="InvalidOperationException">The checkpoint has no tokenizer.</exception>
    public Task<GenerationResult> GenerateAsync(string prompt, SamplingParams? sampling = null, CancellationToken cancellationToken = default) =>
        CollectAsync(GenerateStreamingAsync(prompt, sampling, cancellationToken));

    /// <summary>Generates to completion from token ids.</summary>
    public Task<GenerationResult> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams? sampling = null, CancellationToken cancellationToken = default) =>
        CollectAsync(GenerateStreamingAsync(promptTokenIds, sampling, cancellationToken));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
            return;
        _gate.Wait();
        DisposeUnderGate();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        await _gate.WaitAsync().ConfigureAwait(false);
        DisposeUnderGate();
    }

    /// <summary>Frees the model once no request holds the gate (the caller has just taken it).</summary>
    private void DisposeUnderGate()
    {
        try
        {
            _disposed = true;
            _model.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private IReadOnlyList<int> PromptOf(GenerationRequest request)
    {
        int given = (request.Prompt is null ? 0 : 1) + (request.PromptTokenIds is null ? 0 : 1) + (request.Messages is null ? 0 : 1);
        if (given != 1)
            throw new ArgumentException($"A request needs exactly one of Prompt, PromptTokenIds and Messages; it has {given}.", nameof(request));
        if (request.PromptTokenIds is { } ids)
            return ids;
        string text = request.Prompt ?? FormatChatPrompt(request.Messages!, addGenerationPrompt: true, request.EnableThinking);
        return Encode(text);
    }

    private int[] Encode(string prompt) =>
        (Tokenizer ?? throw new InvalidOperationException("This checkpoint has no tokenizer.json; pass token ids instead of text.")).Encode(prompt);

    private async IAsyncEnumerable<GenerationUpdate> Serialized(IReadOnlyList<int> prompt, SamplingParams sampling,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await foreach (var update in _loop.RunAsync(prompt, sampling, cancellationToken).ConfigureAwait(false))
                yield return update;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<GenerationResult> CollectAsync(IAsyncEnumerable<GenerationUpdate> updates)
    {
        var text = new System.Text.StringBuilder();
        var ids = new List<int>();
        await foreach (var update in updates.ConfigureAwait(false))
        {
            text.Append(update.Text);
            ids.AddRange(update.TokenIds);
            if (update.FinishReason is { } finish)
                return new GenerationResult(text.ToString(), ids, finish, update.Usage!);
        }
        throw new InvalidOperationException("The generation ended without a final update.");
    }
}
