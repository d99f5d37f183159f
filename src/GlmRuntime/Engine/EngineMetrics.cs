using System.Diagnostics.Metrics;

namespace GlmRuntime.Engine;

/// <summary>
/// The engine's <see cref="Meter"/> (SERVING.md §1.9; names map 1:1 to vLLM's <c>vllm:*</c> series in the README):
/// latency histograms in seconds, gauges read from the loop's last step, and token, cache and preemption counters.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly Histogram<double> _e2eLatency;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _cachedTokens;
    private readonly Counter<long> _queriedTokens;
    private readonly Counter<long> _generatedTokens;
    private readonly Counter<long> _preemptions;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _specRounds;
    private readonly Counter<long> _specDraftTokens;
    private readonly Counter<long> _specAcceptedTokens;
    private readonly Counter<long> _specAcceptedPerPosition;
    private readonly Histogram<long> _specTokensPerForward;

    /// <param name="statistics">The loop's statistics after its last step.</param>
    /// <param name="scope">
    /// The meter's <see cref="Meter.Scope"/>: the engine, so that a listener in a process with several engines can
    /// tell their instruments apart.
    /// </param>
    public EngineMetrics(Func<GlmEngineStatistics> statistics, object scope)
    {
        _meter = new Meter(new MeterOptions(GlmEngine.MeterName) { Scope = scope });
        _timeToFirstToken = _meter.CreateHistogram<double>("glm.time_to_first_token", "s", "Submission to first generated token.");
        _interTokenLatency = _meter.CreateHistogram<double>("glm.inter_token_latency", "s", "Between consecutive tokens of a request.");
        _e2eLatency = _meter.CreateHistogram<double>("glm.e2e_request_latency", "s", "Submission to the final token.");
        _promptTokens = _meter.CreateCounter<long>("glm.prompt_tokens", "{token}", "Prompt tokens of admitted requests.");
        _cachedTokens = _meter.CreateCounter<long>("glm.prefix_cache.hit_tokens", "{token}", "Prompt tokens served from the prefix cache.");
        _queriedTokens = _meter.CreateCounter<long>("glm.prefix_cache.queried_tokens", "{token}", "Prompt tokens looked up in the prefix cache.");
        _generatedTokens = _meter.CreateCounter<long>("glm.generation_tokens", "{token}", "Tokens generated.");
        _preemptions = _meter.CreateCounter<long>("glm.preemptions", "{request}", "Running requests preempted for recompute.");
        _finished = _meter.CreateCounter<long>("glm.requests.finished", "{request}", "Finished requests, by finish_reason.");
        _specRounds = _meter.CreateCounter<long>("glm.spec_decode.num_drafts", "{round}", "Speculative rounds: target forwards that verified drafts.");
        _specDraftTokens = _meter.CreateCounter<long>("glm.spec_decode.num_draft_tokens", "{token}", "Tokens drafted by the MTP layer.");
        _specAcceptedTokens = _meter.CreateCounter<long>("glm.spec_decode.num_accepted_tokens", "{token}", "Drafted tokens the target accepted.");
        _specAcceptedPerPosition = _meter.CreateCounter<long>("glm.spec_decode.num_accepted_tokens_per_pos", "{token}",
            "Accepted drafts by draft position (tag position, 0-based).");
        _specTokensPerForward = _meter.CreateHistogram<long>("glm.spec_decode.tokens_per_forward", "{token}",
            "Tokens one verifying target forward produced: accepted drafts + 1 (sglang's accept length).");
        _meter.CreateObservableGauge("glm.requests.waiting", () => statistics().WaitingRequestCount, "{request}", "Requests queued.");
        _meter.CreateObservableGauge("glm.requests.running", () => statistics().RunningRequestCount, "{request}", "Requests running.");
        _meter.CreateObservableGauge("glm.kv.pages_in_use", () => statistics().InUsePageCount, "{page}", "KV pages held by running requests.");
        _meter.CreateObservableGauge("glm.kv.pages_cached", () => statistics().CachedPageCount, "{page}", "KV pages held only by the prefix cache.");
        _meter.CreateObservableCounter("glm.gpu.untuned_kernel_calls", UntunedKernelCalls, "{call}",
            "GPU kernel launches that found no tuned configuration (tags arch, op, shape, tokens: the table key), process-wide.");
        _meter.CreateObservableGauge("glm.kv.usage", () => statistics().KvUsage, "1", "Fraction of KV pages in use (vLLM's kv_cache_usage_perc).");
    }

    private static IEnumerable<Measurement<long>> UntunedKernelCalls() =>
        Native.Tuning.UntunedKernels.Snapshot().Select(u => new Measurement<long>(u.Calls,
            new KeyValuePair<string, object?>("arch", u.Architecture), new KeyValuePair<string, object?>("op", u.Op),
            new KeyValuePair<string, object?>("shape", u.Shape), new KeyValuePair<string, object?>("tokens", u.TokenBucket)));

    public void Admitted(int promptTokens, int cachedTokens, bool prefixCacheOn)
    {
        _promptTokens.Add(promptTokens);
        if (prefixCacheOn)
        {
            _queriedTokens.Add(promptTokens);
            _cachedTokens.Add(cachedTokens);
        }
    }

    public void TokenGenerated(TimeSpan? previous, TimeSpan now)
    {
        _generatedTokens.Add(1);
        if (previous is { } p)
            _interTokenLatency.Record((now - p).TotalSeconds);
        else
            _timeToFirstToken.Record(now.TotalSeconds);
    }

    public void Finished(FinishReason? reason, TimeSpan elapsed)
    {
        _e2eLatency.Record(elapsed.TotalSeconds);
        _finished.Add(1, new KeyValuePair<string, object?>("finish_reason", reason?.ToString().ToLowerInvariant() ?? "abort"));
    }

    public void Preempted() => _preemptions.Add(1);

    /// <summary>A speculative round verified <paramref name="drafted"/> drafts and accepted the first <paramref name="accepted"/>.</summary>
    public void RoundVerified(int drafted, int accepted)
    {
        _specRounds.Add(1);
        _specDraftTokens.Add(drafted);
        _specAcceptedTokens.Add(accepted);
        for (int k = 0; k < accepted; k++)
            _specAcceptedPerPosition.Add(1, new KeyValuePair<string, object?>("position", k));
        _specTokensPerForward.Record(accepted + 1);
    }

    public void Dispose() => _meter.Dispose();
}
