namespace GlmRuntime.LoadGenerator;

/// <summary>Requests straight into a <see cref="GlmEngine"/> in this process: the engine's own speed, no HTTP.</summary>
public sealed class EngineTarget(GlmEngine engine) : IServingTarget
{
    public string Description => "GlmEngine (in-process)";

    public async Task<RequestOutcome> RunAsync(WorkloadRequest request, CancellationToken cancellationToken)
    {
        var sampling = engine.DefaultSamplingParams with { MaxTokens = request.OutputTokens, IgnoreEos = true, Stop = [] };
        var recorder = new OutcomeRecorder(request);
        try
        {
            await foreach (var update in engine.GenerateStreamingAsync(GenerationRequest.FromTokens(request.PromptTokenIds, sampling), cancellationToken))
            {
                if (update.TokenIds.Count > 0)
                    recorder.Chunk();
                if (update.Usage is { } usage)
                    return recorder.Succeeded(usage.PromptTokenCount, usage.CompletionTokenCount, usage.CachedTokenCount);
            }
            return recorder.Failed("the stream ended without usage");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return recorder.Failed(e.Message);
        }
    }

    public Task<ServerCounters> ReadCountersAsync(CancellationToken cancellationToken)
    {
        var statistics = engine.GetStatistics();
        var speculative = statistics.Speculative;
        return Task.FromResult(new ServerCounters(statistics.PrefixQueriedTokenCount, statistics.PrefixHitTokenCount,
            speculative?.DraftTokenCount ?? 0, speculative?.AcceptedTokenCount ?? 0, speculative?.RoundCount ?? 0));
    }

    /// <summary>Ordinary token ids of the engine's vocabulary (special tokens left out) to build prompts from.</summary>
    public static IReadOnlyList<int> OrdinaryTokenIds(GlmEngine engine)
    {
        var tokenizer = engine.Tokenizer;
        return Enumerable.Range(0, engine.Config.VocabSize).Where(id => tokenizer is null || (!tokenizer.IsSpecialToken(id) && tokenizer.IdToToken(id) is not null)).ToArray();
    }
}
