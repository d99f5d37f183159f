using System.Diagnostics;

namespace GlmRuntime.LoadGenerator;

/// <summary>
/// What one request measured, client side (SERVING.md §1.11): TTFT from sending to the first chunk that carries
/// output, the gaps between chunks (a chunk may carry several tokens), and the end-to-end latency.
/// </summary>
public sealed record RequestOutcome(int Index, bool Success, string? Error, int PromptTokens, int OutputTokens, int CachedTokens,
    double TtftSeconds, double E2eSeconds, IReadOnlyList<double> InterChunkSeconds)
{
    /// <summary>Time per output token after the first: (E2E − TTFT) / (output − 1); null for a single token.</summary>
    public double? TpotSeconds => OutputTokens > 1 ? (E2eSeconds - TtftSeconds) / (OutputTokens - 1) : null;
}

/// <summary>Times one request's chunks as they arrive; a target creates one when it sends the request.</summary>
public sealed class OutcomeRecorder(WorkloadRequest request)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly List<double> _gaps = [];
    private long _last;
    private double? _ttft;

    /// <summary>A chunk with output arrived now.</summary>
    public void Chunk()
    {
        long now = Stopwatch.GetTimestamp();
        if (_ttft is null)
            _ttft = Stopwatch.GetElapsedTime(_start, now).TotalSeconds;
        else
            _gaps.Add(Stopwatch.GetElapsedTime(_last, now).TotalSeconds);
        _last = now;
    }

    public RequestOutcome Succeeded(int promptTokens, int outputTokens, int cachedTokens)
    {
        double e2e = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        return new RequestOutcome(request.Index, true, null, promptTokens, outputTokens, cachedTokens, _ttft ?? e2e, e2e, _gaps);
    }

    public RequestOutcome Failed(string error) =>
        new(request.Index, false, error, request.PromptTokenIds.Length, 0, 0, 0, Stopwatch.GetElapsedTime(_start).TotalSeconds, []);
}

/// <summary>The server's own counters, read before and after a run so that a run reports its deltas.</summary>
/// <param name="PrefixQueriedTokens">Prompt tokens looked up in the prefix cache.</param>
/// <param name="PrefixHitTokens">Prompt tokens served from it.</param>
/// <param name="DraftTokens">Tokens drafted by speculative decoding.</param>
/// <param name="AcceptedTokens">Drafted tokens accepted.</param>
/// <param name="SpeculativeRounds">Verifying target forwards.</param>
public sealed record ServerCounters(double PrefixQueriedTokens, double PrefixHitTokens, double DraftTokens, double AcceptedTokens, double SpeculativeRounds)
{
    public static ServerCounters operator -(ServerCounters after, ServerCounters before) => new(
        after.PrefixQueriedTokens - before.PrefixQueriedTokens, after.PrefixHitTokens - before.PrefixHitTokens,
        after.DraftTokens - before.DraftTokens, after.AcceptedTokens - before.AcceptedTokens, after.SpeculativeRounds - before.SpeculativeRounds);
}
