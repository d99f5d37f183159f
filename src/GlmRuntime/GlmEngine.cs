using System.Runtime.CompilerServices;
using GlmRuntime.Configuration;
using GlmRuntime.Tokenization;
using GlmRuntime.Weights;

namespace GlmRuntime;

/// <summary>
/// A loaded GLM-5-family model ready to generate. Load with <see cref="LoadAsync"/>; stream with
/// <see cref="GenerateStreamingAsync(string, SamplingParams?, CancellationToken)"/>.
/// </summary>
public sealed class GlmEngine : IAsyncDisposable, IDisposable
{
    private GlmEngine() => throw new NotImplementedException();

    /// <summary>The model's config.json.</summary>
    public GlmConfig Config => throw new NotImplementedException();

    /// <summary>The checkpoint's tokenizer, or null when the folder has no tokenizer.json (token ids only).</summary>
    public GlmTokenizer? Tokenizer => throw new NotImplementedException();

    /// <summary>Sampling defaults from generation_config.json (temperature, top_p, top_k), else vLLM's.</summary>
    public SamplingParams DefaultSamplingParams => throw new NotImplementedException();

    /// <summary>Ids that end generation: config.json's and generation_config.json's eos_token_id.</summary>
    public IReadOnlyList<int> EosTokenIds => throw new NotImplementedException();

    /// <summary>Loads a model folder (config.json, safetensors, optional tokenizer files).</summary>
    public static Task<GlmEngine> LoadAsync(string modelDirectory, GlmEngineOptions? options = null,
        IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Renders a conversation with the checkpoint's chat template.</summary>
    public string FormatChatPrompt(IReadOnlyList<GlmChatMessage> messages, bool addGenerationPrompt = true) => throw new NotImplementedException();

    /// <summary>Streams the continuation of a text prompt.</summary>
    public IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(string prompt, SamplingParams? sampling = null,
        CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Streams the continuation of a tokenized prompt.</summary>
    public IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(IReadOnlyList<int> promptTokenIds, SamplingParams? sampling = null,
        CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Generates to completion.</summary>
    public Task<GenerationResult> GenerateAsync(string prompt, SamplingParams? sampling = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Generates to completion from token ids.</summary>
    public Task<GenerationResult> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams? sampling = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc/>
    public void Dispose() => throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
