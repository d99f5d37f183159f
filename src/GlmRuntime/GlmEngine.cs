using System.Runtime.CompilerServices;
using GlmRuntime.Chat;
using GlmRuntime.Configuration;
using GlmRuntime.Engine;
using GlmRuntime.Speculative;
using GlmRuntime.Model;
using GlmRuntime.Tokenization;
using GlmRuntime.Kv;
using GlmRuntime.Weights;
using GlmRuntime.Sampling;
using GlmRuntime.Scheduling;

namespace GlmRuntime;

/// <summary>
/// A loaded GLM-5-family model serving requests. Load with <see cref="LoadAsync"/>; stream with
/// <see cref="GenerateStreamingAsync(GenerationRequest, CancellationToken)"/>, run many at once with
/// <see cref="GenerateBatchAsync"/>, or chat through <see cref="GlmEngineChatClientExtensions.AsChatClient"/>.
/// Thread-safe: any number of callers at once; their requests are batched together by one engine loop
/// (continuous batching over a paged KV cache with a prefix cache; see the README's "How a request flows").
/// </summary>
public sealed class GlmEngine : IAsyncDisposable, IDisposable
{
    /// <summary>
    /// Name of the <see cref="System.Diagnostics.Metrics.Meter"/> the engine reports to. Each engine has its own meter,
    /// whose <see cref="System.Diagnostics.Metrics.Meter.Scope"/> is the engine.
    /// </summary>
    public const string MeterName = "GlmRuntime.Engine";

    private readonly GlmModel _model;
    private readonly EngineLoop _loop;
    private readonly EngineMetrics _metrics;
    private readonly ChatPromptRenderer _chatPrompts;
    private long _nextRequestId;
    private int _disposed;

    private GlmEngine(GlmModel model, GlmTokenizer? tokenizer, GenerationConfig generation, GlmEngineOptions options)
    {
        _model = model;
        Tokenizer = tokenizer;
        Options = options;
        EosTokenIds = model.Config.EosTokenIds.Concat(generation.EosTokenIds).Distinct().ToArray();
        var defaults = new SamplingParams();
        DefaultSamplingParams = defaults with
        {
            Temperature = generation.Temperature ?? defaults.Temperature,
            TopP = generation.TopP ?? defaults.TopP,
            TopK = generation.TopK ?? defaults.TopK,
        };
        var template = tokenizer?.Config?.ChatTemplate is { } source ? ChatTemplate.Parse(source, "tokenizer_config.json:chat_template") : null;
        _chatPrompts = new ChatPromptRenderer(template, tokenizer?.Config?.BosToken, tokenizer?.Config?.EosToken);

        if (options.Speculative is not null && !model.HasMtp)
            throw new InvalidOperationException(
                $"GlmEngineOptions.Speculative needs the model's MTP layer, and this checkpoint has none (config.json: num_nextn_predict_layers {model.Config.NumNextnPredictLayers}).");
        bool keepMtp = (options.KeepMtpCache || options.Speculative is not null) && model.HasMtp;
        var kv = KvCacheFactory.Create(model, options, keepMtp);
        var limits = new SchedulerLimits(options.MaxBatchTokens, options.MaxRunningRequests, options.ChunkedPrefillTokens,
            options.PageSize, kv.Pool.TotalCount, options.SchedulingPolicy);
        _metrics = new EngineMetrics(() => _loop!.Statistics, this);
        _loop = new EngineLoop(model, kv, limits, _metrics, EosTokenIds, keepMtp, options.Speculative, options.VerifyPagesEachStep);
    }

    /// <summary>The options the engine was loaded with.</summary>
    public GlmEngineOptions Options { get; }

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

    /// <summary>
    /// Reports what this process can run on: the CPU kernels' tier, whether the GPU library (libglmrt) loads (and if not,
    /// every path tried and why), the HIP/CUDA runtime and driver versions, and each GPU's name, architecture and memory.
    /// Never throws for a missing library or device; it reports them.
    /// </summary>
    public static GlmDiagnostics Diagnose() => Native.GpuDiagnostics.Collect();

    /// <summary>
    /// <see cref="Diagnose()"/>, plus the GPU kernel shapes of the model in <paramref name="modelDirectory"/> that have
    /// no tuned configuration for a visible GPU (in <see cref="GlmDiagnostics.UntunedKernels"/> with 0 calls), checked
    /// against the shipped table and <paramref name="kernelConfigFile"/> (or GLMRT_KERNEL_CONFIGS).
    /// </summary>
    /// <exception cref="ConfigException">The model's config.json is invalid.</exception>
    /// <exception cref="FileNotFoundException">config.json or the kernel config file does not exist.</exception>
    public static GlmDiagnostics Diagnose(string modelDirectory, string? kernelConfigFile = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        return Native.GpuDiagnostics.Collect(GlmConfig.Load(modelDirectory), kernelConfigFile);
    }

    /// <summary>Loads a model folder (config.json, safetensors, optional tokenizer and generation config files).</summary>
    /// <exception cref="ConfigException">config.json or generation_config.json is invalid.</exception>
    /// <exception cref="Checkpoints.CheckpointException">A weight file is malformed or a tensor is missing or misshapen.</exception>
    /// <exception cref="TokenizerException">tokenizer.json is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException"><see cref="GlmEngineOptions.Device"/> is Gpu and no GPU (or libglmrt) is available; the message says why.</exception>
    /// <exception cref="GlmGpuException">The GPU backend failed to open the device or upload the weights (out of device memory, ...).</exception>
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
            if (options.LoggerFactory is { } loggers)
                Native.Tuning.UntunedKernels.Logger = loggers.CreateLogger("GlmRuntime.Gpu");
            var model = GlmModel.Load(modelDirectory, progress, cancellationToken, options.ThreadCount, options.MaxSequenceLength, options.CpuActivationPrecision,
                options.Device, options.GpuDeviceIndex, options.KernelConfigFile);
            try
            {
                return new GlmEngine(model, tokenizer, generation, options);
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
    public string FormatChatPrompt(IReadOnlyList<GlmChatMessage> messages, bool addGenerationPrompt = true, bool enableThinking = true) =>
        _chatPrompts.Render(messages, tools: null, addGenerationPrompt, enableThinking);

    /// <summary>
    /// Renders a conversation with tools (written into the template's tool preamble) and the tool calls and results
    /// of its turns.
    /// </summary>
    /// <param name="messages">The conversation so far.</param>
    /// <param name="tools">Functions the model may call; null or empty for none.</param>
    /// <param name="addGenerationPrompt">End with the assistant prompt.</param>
    /// <param name="enableThinking">GLM-5's <c>enable_thinking</c>.</param>
    /// <exception cref="ArgumentException">A tool call's arguments are not a JSON object.</exception>
    /// <exception cref="ChatTemplateException">The template fails to render.</exception>
    public string FormatChatPrompt(IReadOnlyList<GlmChatMessage> messages, IReadOnlyList<GlmTool>? tools, bool addGenerationPrompt = true,
        bool enableThinking = true) =>
        _chatPrompts.Render(messages, tools, addGenerationPrompt, enableThinking);

    /// <summary>Streams the continuation of a text prompt (encoded as is: special tokens written out are recognized).</summary>
    /// <exception cref="InvalidOperationException">The checkpoint has no tokenizer.</exception>
    public IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(string prompt, SamplingParams? sampling = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return GenerateStreamingAsync(GenerationRequest.FromText(prompt, sampling), cancellationToken);
    }

    /// <summary>Streams the continuation of a tokenized prompt.</summary>
    /// <exception cref="ArgumentException">The prompt is empty, too long, or holds an id outside the vocabulary.</exception>
    public IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(IReadOnlyList<int> promptTokenIds, SamplingParams? sampling = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptTokenIds);
        return GenerateStreamingAsync(GenerationRequest.FromTokens(promptTokenIds, sampling), cancellationToken);
    }

    /// <summary>
    /// Streams one request: updates with new token ids, text deltas and logprobs, then a final update with the
    /// finish reason and usage (prompt, cached and completion tokens, time to first token). The request is
    /// submitted when enumeration starts; cancelling the token or abandoning the enumeration removes it from the
    /// engine within one step.
    /// </summary>
    /// <exception cref="ArgumentException">The request has no prompt or more than one, or the prompt is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A sampling parameter is out of range.</exception>
    /// <exception cref="InvalidOperationException">A text or chat prompt on a checkpoint without a tokenizer.</exception>
    public IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var engineRequest = CreateRequest(request);
        return Stream(engineRequest, submit: true, cancellationToken);
    }

    /// <summary>Runs one request to completion.</summary>
    /// <exception cref="ArgumentException">The request has no prompt or more than one, or the prompt is invalid.</exception>
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        CollectAsync(GenerateStreamingAsync(request, cancellationToken));

    /// <summary>
    /// Runs several requests together: all are submitted to the scheduler in the same step (and batch with other
    /// callers' requests); results come back in input order. Cancelling the token cancels all of them. A request
    /// that fails at run time (one that can never fit the KV pool) does not stop the others; the first failure is
    /// thrown once every request has ended.
    /// </summary>
    /// <exception cref="ArgumentException">A request is invalid (nothing is submitted then).</exception>
    /// <exception cref="InvalidOperationException">A request failed at run time.</exception>
    public async Task<IReadOnlyList<GenerationResult>> GenerateBatchAsync(IReadOnlyList<GenerationRequest> requests,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var engineRequests = requests.Select(CreateRequest).ToArray();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _loop.Submit(engineRequests);
        return await Task.WhenAll(engineRequests.Select(r => CollectAsync(Stream(r, submit: false, cancellationToken)))).ConfigureAwait(false);
    }

    /// <summary>Streams the assistant's answer to a conversation (the chat template is applied with an assistant prompt).</summary>
    public IAsyncEnumerable<GenerationUpdate> GenerateChatStreamingAsync(IReadOnlyList<GlmChatMessage> messages, SamplingParams? sampling = null,
        bool enableThinking = true, CancellationToken cancellationToken = default) =>
        GenerateStreamingAsync(GenerationRequest.FromChat(messages, sampling, enableThinking), cancellationToken);

    /// <summary>Generates the assistant's answer to a conversation.</summary>
    public Task<GenerationResult> GenerateChatAsync(IReadOnlyList<GlmChatMessage> messages, SamplingParams? sampling = null,
        bool enableThinking = true, CancellationToken cancellationToken = default) =>
        CollectAsync(GenerateChatStreamingAsync(messages, sampling, enableThinking, cancellationToken));

    /// <summary>
    /// Streams a chat answer read the way OpenAI-compatible servers read GLM (reasoning parser <c>glm45</c>, tool parser
    /// <c>glm47</c>): reasoning before <c>&lt;/think&gt;</c>, answer content, and <see cref="GenerationRequest.Tools"/>
    /// calls as <see cref="GlmToolCallDelta"/>s while they stream and as complete <see cref="GlmToolCall"/>s on the last
    /// update, whose finish reason is <see cref="FinishReason.ToolCalls"/> when the answer called tools.
    /// </summary>
    /// <param name="request">A request with <see cref="GenerationRequest.Messages"/>.</param>
    /// <param name="cancellationToken">Stops the generation; the engine frees the request within one step.</param>
    /// <exception cref="ArgumentException">The request has no messages, or is invalid as for <see cref="GenerateStreamingAsync(GenerationRequest, CancellationToken)"/>.</exception>
    public IAsyncEnumerable<ChatCompletionUpdate> GenerateChatCompletionStreamingAsync(GenerationRequest request,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Messages is null)
            throw new ArgumentException("A chat completion needs GenerationRequest.Messages.", nameof(request));
        var sampling = request.Sampling ?? DefaultSamplingParams;
        bool tools = ChatPromptRenderer.ToolsActive(request.ToolChoice, request.Tools);
        string? forced = ChatPromptRenderer.ForcedCallName(request.ToolChoice, request.Tools);
        // GLM's tool tags are special tokens: the parser needs them in the text.
        if (tools)
            sampling = sampling with { SkipSpecialTokens = false };
        var engineRequest = CreateRequest(request with { Sampling = sampling });
        bool thinking = request.EnableThinking && forced is null;
        var parser = new ChatCompletionStream(
            thinking ? CreateReasoningSplitter(sampling) : null,
            tools ? new GlmToolCallParser(request.Tools, forced) : null);
        return ChatStream(engineRequest, parser, cancellationToken);
    }

    private async IAsyncEnumerable<ChatCompletionUpdate> ChatStream(EngineRequest request, ChatCompletionStream parser,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (GenerationUpdate update in Stream(request, submit: true, cancellationToken).ConfigureAwait(false))
            yield return parser.Push(update);
    }

    /// <summary>
    /// GLM's reasoning split for one answer: by the special <c>&lt;/think&gt;</c> token's id when the text leaves
    /// special tokens out, else by the literal tag.
    /// </summary>
    private ReasoningSplitter CreateReasoningSplitter(SamplingParams sampling)
    {
        var tokenizer = Tokenizer!;
        int? endId = sampling.SkipSpecialTokens && tokenizer.TryGetTokenId(ReasoningSplitter.EndTag, out int id) && tokenizer.IsSpecialToken(id)
            ? id : null;
        return new ReasoningSplitter(endId, ids => tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    /// <summary>Generates to completion.</summary>
    /// <exception cref="InvalidOperationException">The checkpoint has no tokenizer.</exception>
    public Task<GenerationResult> GenerateAsync(string prompt, SamplingParams? sampling = null, CancellationToken cancellationToken = default) =>
        CollectAsync(GenerateStreamingAsync(prompt, sampling, cancellationToken));

    /// <summary>Generates to completion from token ids.</summary>
    public Task<GenerationResult> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams? sampling = null, CancellationToken cancellationToken = default) =>
        CollectAsync(GenerateStreamingAsync(promptTokenIds, sampling, cancellationToken));

    /// <summary>Queue, running requests, KV pages and prefix-cache counters after the engine's last step.</summary>
    public GlmEngineStatistics GetStatistics() => _loop.Statistics;

    /// <summary>Stops the engine: requests in flight end with <see cref="OperationCanceledException"/>, then the model is freed.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _loop.StopAsync().ConfigureAwait(false);
        _metrics.Dispose();
        _model.Dispose();
    }

    private EngineRequest CreateRequest(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var prompt = PromptOf(request).ToArray();
        var sampling = request.Sampling ?? DefaultSamplingParams;
        sampling.Validate();
        if (prompt.Length == 0)
            throw new ArgumentException("The prompt has no tokens.", nameof(request));
        foreach (int id in prompt)
        {
            if ((uint)id >= (uint)Config.VocabSize)
                throw new ArgumentException($"Prompt token id {id} is outside the vocabulary (vocab_size {Config.VocabSize}).", nameof(request));
        }
        if (request.MaxPromptTokens is int limit && prompt.Length > limit)
            throw new ArgumentException($"The prompt has {prompt.Length} tokens; this request allows at most {limit}.", nameof(GenerationRequest.MaxPromptTokens));
        if (prompt.Length >= MaxSequenceLength)
            throw new ArgumentException($"The prompt has {prompt.Length} tokens; the context limit is {MaxSequenceLength}.", nameof(request));
        var sampler = new RequestSampler(sampling, prompt, EosTokenIds, Config.VocabSize);
        int maxTokens = (int)Math.Min((long)prompt.Length + sampling.MaxTokens, MaxSequenceLength);
        return new EngineRequest(Interlocked.Increment(ref _nextRequestId), prompt, sampling, request.Priority, sampler,
            Tokenizer?.CreateStreamingDetokenizer(sampling.SkipSpecialTokens), maxTokens)
        {
            Speculative = Options.Speculative is { } speculative ? new SpeculativeCounters(speculative.Steps) : null,
        };
    }

    private IReadOnlyList<int> PromptOf(GenerationRequest request)
    {
        int given = (request.Prompt is null ? 0 : 1) + (request.PromptTokenIds is null ? 0 : 1) + (request.Messages is null ? 0 : 1);
        if (given != 1)
            throw new ArgumentException($"A request needs exactly one of Prompt, PromptTokenIds and Messages; it has {given}.", nameof(request));
        if (request.PromptTokenIds is { } ids)
            return ids;
        string text = request.Prompt ?? _chatPrompts.RenderRequest(request);
        return Encode(text);
    }

    private int[] Encode(string prompt) =>
        (Tokenizer ?? throw new InvalidOperationException("This checkpoint has no tokenizer.json; pass token ids instead of text.")).Encode(prompt);

    private async IAsyncEnumerable<GenerationUpdate> Stream(EngineRequest request, bool submit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (submit)
            _loop.Submit(request);
        using var registration = cancellationToken.Register(static r => ((EngineRequest)r!).RequestCancel(), request);
        bool completed = false;
        try
        {
            var reader = request.Updates;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Updates arrive in bursts (a step can emit several tokens): a cancelled caller gets none of those
                // still buffered.
                while (!cancellationToken.IsCancellationRequested && reader.TryRead(out var update))
                    yield return update;
                cancellationToken.ThrowIfCancellationRequested();
            }
            completed = true;
        }
        finally
        {
            // A caller that stops reading early (or is cancelled) takes its request out of the engine.
            if (!completed)
                request.RequestCancel();
        }
    }

    private static async Task<GenerationResult> CollectAsync(IAsyncEnumerable<GenerationUpdate> updates)
    {
        var text = new System.Text.StringBuilder();
        var ids = new List<int>();
        List<GeneratedTokenLogprobs>? logprobs = null;
        await foreach (var update in updates.ConfigureAwait(false))
        {
            text.Append(update.Text);
            ids.AddRange(update.TokenIds);
            if (update.Logprobs is { } lp)
                (logprobs ??= []).AddRange(lp);
            if (update.FinishReason is { } finish)
                return new GenerationResult(text.ToString(), ids, finish, update.Usage!) { Logprobs = logprobs };
        }
        throw new InvalidOperationException("The generation ended without a final update.");
    }
}
