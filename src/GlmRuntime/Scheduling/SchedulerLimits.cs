namespace GlmRuntime.Scheduling;

/// <summary>The budgets and the pool size one scheduling step works within.</summary>
/// <param name="MaxBatchTokens">Most tokens per step (decodes count one each, plus their drafts when speculating).</param>
/// <param name="MaxRunningRequests">Most requests running at once.</param>
/// <param name="ChunkedPrefillTokens">Longest prefill chunk, or null to prefill each prompt whole.</param>
/// <param name="PageSize">Positions per KV page.</param>
/// <param name="TotalPageCount">Pages in the pool.</param>
/// <param name="Policy">Admission order and preemption victim choice.</param>
internal sealed record SchedulerLimits(int MaxBatchTokens, int MaxRunningRequests, int? ChunkedPrefillTokens, int PageSize, int TotalPageCount,
    SchedulingPolicy Policy = SchedulingPolicy.Fcfs)
{
    /// <summary>Pages needed to hold <paramref name="tokens"/> positions.</summary>
    public int PagesFor(int tokens) => (tokens + PageSize - 1) / PageSize;
}
