namespace GlmRuntime.Scheduling;

/// <summary>
/// Chooses the work of one engine step: a pure function of counts, with vLLM V1's rules.
/// <list type="number">
/// <item>Running requests first, decodes before unfinished prefills, each in admission order: a decode runs one
/// token, plus its draft tokens when speculating (fewer drafts when the budget is short); an unfinished prefill runs its next chunk (at most <see cref="SchedulerLimits.ChunkedPrefillTokens"/>),
/// all within <see cref="SchedulerLimits.MaxBatchTokens"/>.</item>
/// <item>When a running request's new pages do not fit, the newest unscheduled running request (under
/// <see cref="SchedulingPolicy.Priority"/>: the highest priority value, newest first) is preempted by recompute:
/// its pages are released and it goes back to the front of the queue. If the newest is the request itself, it is
/// the one preempted.</item>
/// <item>Then waiting requests are admitted in queue order (FCFS, or by priority then arrival) while the budget,
/// <see cref="SchedulerLimits.MaxRunningRequests"/> and the pages last; the first that does not fit stops
/// admission (no overtaking). A prompt's cached prefix needs no compute and no new pages. With chunking off a
/// prompt runs whole, alone in a step if it exceeds the budget. Nothing is admitted in a step that preempted.</item>
/// <item>A waiting request whose prompt plus output could never fit the whole pool is rejected at once.</item>
/// </list>
/// </summary>
internal static class Scheduler
{
    /// <param name="running">Running requests in admission order.</param>
    /// <param name="waiting">Waiting requests in queue order (preempted ones already at the front).</param>
    /// <param name="availablePageCount">Free plus reclaimable (cached-only) pages.</param>
    /// <param name="limits">Budgets.</param>
    public static ScheduledBatch Schedule(IReadOnlyList<SchedulerRequest> running, IReadOnlyList<SchedulerRequest> waiting,
        int availablePageCount, SchedulerLimits limits)
    {
        var batch = new ScheduledBatch();
        int available = availablePageCount, budget = limits.MaxBatchTokens;

        // Decodes first, then unfinished prefills; within each, admission order.
        var order = new List<int>(running.Count);
        for (int i = 0; i < running.Count; i++)
            if (running[i].IsDecoding) order.Add(i);
        for (int i = 0; i < running.Count; i++)
            if (!running[i].IsDecoding) order.Add(i);

        int stillRunning = running.Count;
        for (int at = 0; at < order.Count; at++)
        {
            var request = running[order[at]];
            // A speculating decode verifies its drafts too; a tight budget trims drafts before it skips the decode.
            int wanted = request.IsDecoding ? 1 + request.DraftTokenCount : ChunkOf(request.RemainingTokenCount, limits);
            int tokens = Math.Min(wanted, budget);
            if (tokens <= 0)
                continue;
            int needed = limits.PagesFor(request.ComputedTokenCount + tokens) - request.HeldPageCount;
            bool preemptedSelf = false;
            while (needed > available)
            {
                int victim = Victim(running, order, at, limits.Policy);
                available += running[order[victim]].ReleasablePageCount;
                batch.Preempted.Add(running[order[victim]].Id);
                order.RemoveAt(victim);
                stillRunning--;
                if (victim == at)
                {
                    preemptedSelf = true;
                    break;
                }
            }
            if (preemptedSelf)
            {
                at--;
                continue;
            }
            available -= Math.Max(0, needed);
            budget -= tokens;
            batch.Chunks.Add(new ScheduledChunk(request.Id, tokens, false, Math.Max(request.HeldPageCount, limits.PagesFor(request.ComputedTokenCount + tokens))));
        }

        var rejected = new HashSet<long>();
        foreach (var request in waiting)
        {
            int fullPages = limits.PagesFor(request.MaxTokenCount);
            if (fullPages <= limits.TotalPageCount)
                continue;
            rejected.Add(request.Id);
            batch.Rejected.Add((request.Id,
                $"The request needs {fullPages} KV pages ({request.MaxTokenCount} tokens: prompt plus max tokens, pages of {limits.PageSize}) " +
                $"and the pool holds {limits.TotalPageCount}. Shorten the prompt or MaxTokens, or raise KvCacheBytes."));
        }

        foreach (var request in QueueOrder(waiting, limits.Policy))
        {
            if (rejected.Contains(request.Id))
                continue;
            if (batch.Preempted.Count > 0 || stillRunning >= limits.MaxRunningRequests || budget <= 0)
                break;
            int remaining = request.RemainingTokenCount;
            int tokens = limits.ChunkedPrefillTokens is null
                ? (remaining <= budget || batch.Chunks.Count == 0 ? remaining : 0)
                : Math.Min(ChunkOf(remaining, limits), budget);
            if (tokens <= 0)
                break;
            int pages = limits.PagesFor(request.ComputedTokenCount + tokens);
            int needed = pages - request.HeldPageCount + request.ReleasablePageCount;
            if (needed > available)
                break;
            available -= needed;
            budget -= tokens;
            stillRunning++;
            batch.Chunks.Add(new ScheduledChunk(request.Id, tokens, true, pages));
        }
        return batch;
    }

    private static int ChunkOf(int remaining, SchedulerLimits limits) =>
        remaining <= 1 || limits.ChunkedPrefillTokens is not { } chunk ? remaining : Math.Min(remaining, chunk);

    /// <summary>Position in <paramref name="order"/> (at or after <paramref name="from"/>) of the request to preempt.</summary>
    private static int Victim(IReadOnlyList<SchedulerRequest> running, List<int> order, int from, SchedulingPolicy policy)
    {
        int best = from;
        for (int at = from + 1; at < order.Count; at++)
        {
            bool newer = policy == SchedulingPolicy.Priority
                ? Worse(running[order[at]], running[order[best]])
                : order[at] > order[best];
            if (newer)
                best = at;
        }
        return best;
    }

    /// <summary>Under priority scheduling: a higher value loses, then the later arrival.</summary>
    private static bool Worse(SchedulerRequest a, SchedulerRequest b) =>
        a.Priority != b.Priority ? a.Priority > b.Priority : a.Arrival > b.Arrival;

    private static IEnumerable<SchedulerRequest> QueueOrder(IReadOnlyList<SchedulerRequest> waiting, SchedulingPolicy policy) =>
        policy == SchedulingPolicy.Priority
            ? waiting.OrderBy(r => r.Priority).ThenBy(r => r.Arrival)
            : waiting;
}
