namespace GlmRuntime.Scheduling;

/// <summary>
/// What the <see cref="Scheduler"/> needs to know about one request (counts only: no tokens, no pages).
/// </summary>
/// <param name="Id">The request.</param>
/// <param name="Arrival">Submission order (smaller is older).</param>
/// <param name="Priority">Lower runs first under <see cref="SchedulingPolicy.Priority"/>.</param>
/// <param name="TokenCount">Tokens known: prompt plus generated so far. All must be computed before the next sample.</param>
/// <param name="ComputedTokenCount">Running: positions in its KV. Waiting: positions the prefix cache would give it.</param>
/// <param name="HeldPageCount">Running: pages in its page table. Waiting: pages of its cached prefix.</param>
/// <param name="ReleasablePageCount">
/// Running: pages that become available if it is preempted (those no other request holds). Waiting: cached pages
/// it would pin that are available now (admitting it takes them out of the available count).
/// </param>
/// <param name="MaxTokenCount">Prompt plus the most tokens it may generate, capped at the context limit.</param>
internal readonly record struct SchedulerRequest(
    long Id, long Arrival, int Priority, int TokenCount, int ComputedTokenCount, int HeldPageCount, int ReleasablePageCount, int MaxTokenCount)
{
    /// <summary>
    /// Draft tokens a decode of this request verifies (speculative decoding): the decode then runs 1 + this many
    /// tokens, counted against the step's budget, and needs pages for them. 0 when not speculating.
    /// </summary>
    public int DraftTokenCount { get; init; }

    /// <summary>Tokens still to run before it can sample.</summary>
    public int RemainingTokenCount => TokenCount - ComputedTokenCount;

    /// <summary>True when only the last sampled token is missing: a decode.</summary>
    public bool IsDecoding => RemainingTokenCount == 1 && ComputedTokenCount > 0;
}
