namespace GlmRuntime;

/// <summary>A snapshot of the engine after its last step (see <see cref="GlmEngine.GetStatistics"/>).</summary>
/// <param name="WaitingRequestCount">Requests queued (new or preempted).</param>
/// <param name="RunningRequestCount">Requests holding KV.</param>
/// <param name="TotalPageCount">KV pages in the pool.</param>
/// <param name="FreePageCount">Pages nobody holds.</param>
/// <param name="InUsePageCount">Pages held by running requests.</param>
/// <param name="CachedPageCount">Pages held only by the prefix cache (reclaimable).</param>
/// <param name="PageSize">Tokens per page.</param>
/// <param name="PrefixQueriedTokenCount">Prompt tokens looked up in the prefix cache.</param>
/// <param name="PrefixHitTokenCount">Prompt tokens found there.</param>
/// <param name="PreemptionCount">Requests preempted for recompute.</param>
/// <param name="StepCount">Forward steps run.</param>
public sealed record GlmEngineStatistics(int WaitingRequestCount, int RunningRequestCount, int TotalPageCount, int FreePageCount,
    int InUsePageCount, int CachedPageCount, int PageSize, long PrefixQueriedTokenCount, long PrefixHitTokenCount, long PreemptionCount, long StepCount)
{
    /// <summary>Speculative decoding totals since load; null when it is off.</summary>
    public SpeculativeDecodingStatistics? Speculative { get; init; }

    /// <summary>Fraction of pages in use by running requests.</summary>
    public double KvUsage => TotalPageCount == 0 ? 0 : (double)InUsePageCount / TotalPageCount;

    /// <summary>Cumulative prefix-cache hit rate in tokens (vLLM's definition), 0 before any lookup.</summary>
    public double PrefixHitRate => PrefixQueriedTokenCount == 0 ? 0 : (double)PrefixHitTokenCount / PrefixQueriedTokenCount;
}
