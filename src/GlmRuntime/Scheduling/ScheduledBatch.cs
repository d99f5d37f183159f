namespace GlmRuntime.Scheduling;

/// <summary>The scheduler's decision for one step.</summary>
internal sealed class ScheduledBatch
{
    /// <summary>Work for this step: decodes first, then prefill chunks of running requests, then admissions.</summary>
    public List<ScheduledChunk> Chunks { get; } = [];

    /// <summary>Running requests to stop, free and put back at the front of the queue (recomputed later), in the order chosen.</summary>
    public List<long> Preempted { get; } = [];

    /// <summary>Waiting requests that can never run (they need more pages than the pool has), with the reason.</summary>
    public List<(long RequestId, string Reason)> Rejected { get; } = [];

    /// <summary>Tokens in <see cref="Chunks"/>.</summary>
    public int TokenCount => Chunks.Sum(c => c.TokenCount);

    public bool IsEmpty => Chunks.Count == 0;
}
