using GlmRuntime.Scheduling;

namespace GlmRuntime.Tests.Scheduling;

[TestFixture]
public sealed class SchedulerTests
{
    private const int PageSize = 4;

    private static SchedulerLimits Limits(int budget = 256, int maxRunning = 16, int? chunk = 64, int totalPages = 1000,
        SchedulingPolicy policy = SchedulingPolicy.Fcfs) =>
        new(budget, maxRunning, chunk, PageSize, totalPages, policy);

    private static int PagesFor(int tokens) => (tokens + PageSize - 1) / PageSize;

    /// <summary>A running request with <paramref name="tokenCount"/> tokens, all but the last computed.</summary>
    private static SchedulerRequest Decode(long id, int tokenCount, int priority = 0, int? releasable = null)
    {
        int held = PagesFor(tokenCount - 1);
        return new(id, id, priority, tokenCount, tokenCount - 1, held, releasable ?? held, MaxTokenCount: 4000);
    }

    /// <summary>A running request part way through its prompt.</summary>
    private static SchedulerRequest Prefill(long id, int promptCount, int computed, int priority = 0)
    {
        int held = PagesFor(computed);
        return new(id, id, priority, promptCount, computed, held, held, MaxTokenCount: 4000);
    }

    /// <summary>A queued request; the cached prefix, when given, is in whole pages.</summary>
    private static SchedulerRequest Waiting(long id, int promptCount, int maxNew = 16, int priority = 0, long? arrival = null,
        int cachedPages = 0, int reclaimablePages = 0) =>
        new(id, arrival ?? id, priority, promptCount, cachedPages * PageSize, cachedPages, reclaimablePages, promptCount + maxNew);

    private static ScheduledBatch Schedule(SchedulerRequest[] running, SchedulerRequest[] waiting, int available, SchedulerLimits limits) =>
        Scheduler.Schedule(running, waiting, available, limits);

    private static long[] Ids(ScheduledBatch batch) => [.. batch.Chunks.Select(c => c.RequestId)];

    [Test]
    public void Decodes_run_first_then_unfinished_prefills_then_admissions_each_in_admission_order()
    {
        SchedulerRequest[] running = [Prefill(1, 100, 32), Decode(2, 10), Prefill(3, 50, 8), Decode(4, 20)];
        var batch = Schedule(running, [Waiting(5, 30)], 1000, Limits());
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 2, 4, 1, 3, 5 }));
        Assert.That(batch.Chunks.Select(c => c.TokenCount), Is.EqualTo(new[] { 1, 1, 64, 42, 30 }));
        Assert.That(batch.Chunks.Select(c => c.IsAdmission), Is.EqualTo(new[] { false, false, false, false, true }));
        Assert.That(batch.Chunks.Select(c => c.PageCount), Is.EqualTo(new[] { PagesFor(10), PagesFor(20), PagesFor(96), PagesFor(50), PagesFor(30) }));
        Assert.That(batch.TokenCount, Is.EqualTo(138));
        Assert.That(batch.Preempted, Is.Empty);
        Assert.That(batch.Rejected, Is.Empty);
        Assert.That(Schedule([], [], 10, Limits()).IsEmpty);
    }

    [Test]
    public void A_long_prefill_is_split_into_chunks_within_the_budget()
    {
        var limits = Limits(budget: 40, chunk: 32);
        var batch = Schedule([Decode(1, 9)], [Waiting(2, 100), Waiting(3, 50)], 1000, limits);
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(batch.Chunks.Select(c => c.TokenCount), Is.EqualTo(new[] { 1, 32, 7 }), "the chunk limit, then what is left of the budget");
        Assert.That(batch.Chunks[2].PageCount, Is.EqualTo(PagesFor(7)));

        // Following one prompt through its steps: 32, 32, 32, 4, then decodes.
        var request = Waiting(2, 100);
        var chunks = new List<int>();
        for (int step = 0; step < 5; step++)
        {
            var chunk = Schedule(step == 0 ? [] : [request], step == 0 ? [request] : [], 1000, limits).Chunks.Single();
            chunks.Add(chunk.TokenCount);
            int computed = request.ComputedTokenCount + chunk.TokenCount;
            request = request with { ComputedTokenCount = computed, HeldPageCount = chunk.PageCount, TokenCount = Math.Max(request.TokenCount, computed + (computed == request.TokenCount ? 1 : 0)) };
        }
        Assert.That(chunks, Is.EqualTo(new[] { 32, 32, 32, 4, 1 }));
    }

    [Test]
    public void Decodes_beyond_the_budget_wait_without_preemption()
    {
        var batch = Schedule([Decode(1, 5), Decode(2, 5), Decode(3, 5)], [Waiting(4, 3)], 1000, Limits(budget: 2));
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(batch.Preempted, Is.Empty);
    }

    [Test]
    public void Admission_stops_at_max_running_requests()
    {
        var limits = Limits(maxRunning: 3);
        var batch = Schedule([Decode(1, 5), Decode(2, 5)], [Waiting(3, 4), Waiting(4, 4), Waiting(5, 4)], 1000, limits);
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1, 2, 3 }));
        batch = Schedule([Decode(1, 5), Decode(2, 5), Decode(3, 5)], [Waiting(4, 4)], 1000, limits);
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test]
    public void The_head_of_the_queue_blocks_the_requests_behind_it()
    {
        // Not enough pages for the head's first chunk: the small request behind it does not overtake.
        var batch = Schedule([Decode(1, 5)], [Waiting(2, 40), Waiting(3, 2)], 6, Limits(chunk: 64));
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1 }));

        // Chunking off and the head does not fit the budget left after the decodes.
        batch = Schedule([Decode(1, 5)], [Waiting(2, 40), Waiting(3, 2)], 1000, Limits(budget: 32, chunk: null));
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public void Priority_admits_lower_values_first_then_by_arrival()
    {
        SchedulerRequest[] waiting = [Waiting(1, 4, priority: 5), Waiting(2, 4, priority: 1, arrival: 3), Waiting(3, 4, priority: 1, arrival: 2)];
        var batch = Schedule([], waiting, 1000, Limits(maxRunning: 2, policy: SchedulingPolicy.Priority));
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 3, 2 }));
        batch = Schedule([], waiting, 1000, Limits(maxRunning: 2));
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1, 2 }), "FCFS keeps queue order");

        // Priority order also decides who blocks whom.
        waiting = [Waiting(1, 4, priority: 5), Waiting(2, 400, priority: 0)];
        batch = Schedule([], waiting, 10, Limits(chunk: null, policy: SchedulingPolicy.Priority));
        Assert.That(batch.IsEmpty);
    }

    [Test]
    public void Preemption_takes_the_newest_unscheduled_running_request_and_admits_nothing()
    {
        // Each decode crosses into a new page; one page is available.
        SchedulerRequest[] running = [Decode(1, 9), Decode(2, 13), Decode(3, 5, releasable: 2)];
        var batch = Schedule(running, [Waiting(4, 1)], 1, Limits());
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(batch.Preempted, Is.EqualTo(new long[] { 3 }));
        Assert.That(batch.Chunks.Select(c => c.PageCount), Is.EqualTo(new[] { 3, 4 }));
    }

    [Test]
    public void Preemption_goes_on_until_the_released_pages_suffice()
    {
        // Request 1 needs two new pages; 3 (newest) shares all its pages, so 2 must go as well.
        SchedulerRequest[] running = [Prefill(1, 20, 8), Decode(2, 5, releasable: 2), Decode(3, 5, releasable: 0)];
        var batch = Schedule(running, [], 0, Limits(chunk: 8));
        Assert.That(batch.Preempted, Is.EqualTo(new long[] { 3, 2 }));
        Assert.That(batch.Chunks.Single(), Is.EqualTo(new ScheduledChunk(1, 8, false, 4)));
    }

    [Test]
    public void A_request_that_is_itself_the_newest_preempts_itself()
    {
        var batch = Schedule([Decode(1, 6), Decode(2, 9)], [Waiting(3, 1)], 0, Limits());
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1 }));
        Assert.That(batch.Preempted, Is.EqualTo(new long[] { 2 }));

        // Decodes run before prefills, but the victim is still the newest: here the decode itself.
        batch = Schedule([Prefill(1, 20, 4), Decode(2, 9, releasable: 3)], [], 0, Limits(chunk: 8));
        Assert.That(batch.Preempted, Is.EqualTo(new long[] { 2 }));
        Assert.That(batch.Chunks.Single(), Is.EqualTo(new ScheduledChunk(1, 8, false, 3)));
    }

    [Test]
    public void Under_priority_the_highest_value_then_the_newest_is_preempted()
    {
        SchedulerRequest[] running = [Decode(1, 9, priority: 0), Decode(2, 9, priority: 5), Decode(3, 9, priority: 1)];
        var batch = Schedule(running, [], 1, Limits(policy: SchedulingPolicy.Priority));
        Assert.That(batch.Preempted, Is.EqualTo(new long[] { 2 }), "2 is the worst, so it gives way itself");
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1, 3 }));

        batch = Schedule(running, [], 1, Limits(policy: SchedulingPolicy.Fcfs));
        Assert.That(batch.Preempted, Is.EqualTo(new long[] { 3 }));
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1, 2 }));

        running = [Decode(1, 9, priority: 0), Decode(2, 9, priority: 3), Decode(3, 9, priority: 3), Decode(4, 9, priority: 1)];
        batch = Schedule(running, [], 1, Limits(policy: SchedulingPolicy.Priority));
        Assert.That(batch.Preempted, Is.EqualTo(new long[] { 3 }), "equal priority: the later arrival");
    }

    [Test]
    public void Requests_that_can_never_fit_the_pool_are_rejected_at_once()
    {
        var limits = Limits(totalPages: 10);
        SchedulerRequest[] waiting = [Waiting(1, 8), Waiting(2, 30, maxNew: 20), Waiting(3, 24, maxNew: 16)];
        var batch = Schedule([], waiting, 7, limits);
        var (id, reason) = batch.Rejected.Single();
        Assert.That(id, Is.EqualTo(2));
        Assert.That(reason, Does.Contain("13 KV pages").And.Contain("50 tokens").And.Contain("holds 10").And.Contain("KvCacheBytes"));
        Assert.That(Ids(batch), Is.EqualTo(new long[] { 1 }), "40 tokens fit exactly; 3 waits for pages, not rejected");

        // Rejected behind a blocked head too, and even in a step that preempts.
        batch = Schedule([Decode(1, 9), Decode(2, 9)], [Waiting(3, 400), Waiting(4, 60)], 0, limits);
        Assert.That(batch.Rejected.Select(r => r.RequestId), Is.EqualTo(new long[] { 3, 4 }));
        Assert.That(batch.Preempted, Is.EqualTo(new long[] { 2 }));
    }

    [Test]
    public void With_chunking_off_a_prompt_runs_whole_and_alone_when_it_exceeds_the_budget()
    {
        var limits = Limits(budget: 64, chunk: null);
        var batch = Schedule([], [Waiting(1, 100), Waiting(2, 4)], 1000, limits);
        Assert.That(batch.Chunks.Single(), Is.EqualTo(new ScheduledChunk(1, 100, true, 25)));

        batch = Schedule([], [Waiting(1, 40), Waiting(2, 20), Waiting(3, 20)], 1000, limits);
        Assert.That(batch.Chunks.Select(c => (c.RequestId, c.TokenCount)), Is.EqualTo(new[] { (1L, 40), (2L, 20) }), "whole prompts only: 3 would need a chunk");

        batch = Schedule([Decode(1, 5)], [Waiting(2, 63)], 1000, limits);
        Assert.That(batch.Chunks.Select(c => (c.RequestId, c.TokenCount)), Is.EqualTo(new[] { (1L, 1), (2L, 63) }));
    }

    [Test]
    public void A_cached_prefix_needs_no_compute_and_no_new_pages()
    {
        // 100-token prompt, 64 tokens (16 pages) cached and reclaimable: 36 tokens to run, 25 pages to take from the pool.
        var cached = Waiting(1, 100, cachedPages: 16, reclaimablePages: 16);
        var batch = Schedule([], [cached], 25, Limits());
        Assert.That(batch.Chunks.Single(), Is.EqualTo(new ScheduledChunk(1, 36, true, 25)));
        Assert.That(Schedule([], [cached], 24, Limits()).IsEmpty);

        // The cached pages are already held by a running request: only the 9 new pages count.
        var shared = Waiting(1, 100, cachedPages: 16, reclaimablePages: 0);
        Assert.That(Schedule([], [shared], 9, Limits()).Chunks.Single(), Is.EqualTo(new ScheduledChunk(1, 36, true, 25)));
        Assert.That(Schedule([], [shared], 8, Limits()).IsEmpty);

        // The chunk starts after the cached prefix.
        Assert.That(Schedule([], [shared], 1000, Limits(chunk: 16)).Chunks.Single(), Is.EqualTo(new ScheduledChunk(1, 16, true, 20)));
    }

    [Test]
    public void A_simulated_engine_never_overcommits_pages_and_finishes_every_request([Range(1, 12)] int seed, [Values] bool prefixCache)
    {
        const int requestCount = 120;
        var random = new Random(seed);
        int pageSize = new[] { 1, 2, 4, 16 }[random.Next(4)];
        var limits = new SchedulerLimits(
            MaxBatchTokens: random.Next(1, 80),
            MaxRunningRequests: random.Next(1, 9),
            ChunkedPrefillTokens: random.Next(3) == 0 ? null : random.Next(1, 40),
            PageSize: pageSize,
            TotalPageCount: random.Next(4, 48),
            Policy: random.Next(2) == 0 ? SchedulingPolicy.Fcfs : SchedulingPolicy.Priority);
        var engine = new FakeEngine(limits, prefixCache);
        int submitted = 0;
        for (int step = 0; step < 50_000 && (submitted < requestCount || !engine.IsIdle); step++)
        {
            while (submitted < requestCount && random.Next(3) == 0)
            {
                int prompt = random.Next(1, 60), maxNew = random.Next(1, 40);
                engine.Submit(new SchedulerRequest(submitted, submitted, random.Next(4), prompt, 0, 0, 0, prompt + maxNew));
                submitted++;
            }
            engine.Step($"seed {seed}, step {step}, {limits}");
        }
        Assert.That(engine.IsIdle, $"requests left after 50,000 steps with {limits}");
        Assert.That(engine.FinishedCount + engine.RejectedCount, Is.EqualTo(requestCount));
        Assert.That(engine.RejectedCount, Is.EqualTo(engine.TooLargeCount), "only requests that cannot fit the whole pool are rejected");
    }

    /// <summary>
    /// Applies scheduled batches to counts the way the engine loop does, checking every step. With a prefix cache, a
    /// preempted request keeps its computed whole pages as cached-only pages that its re-admission reuses and that
    /// allocations may evict.
    /// </summary>
    private sealed class FakeEngine(SchedulerLimits limits, bool prefixCache)
    {
        private readonly List<SchedulerRequest> _running = [];
        private readonly LinkedList<SchedulerRequest> _waiting = new();
        private readonly Dictionary<long, int> _cachedPages = [];

        public int FinishedCount { get; private set; }

        public int RejectedCount { get; private set; }

        public int TooLargeCount { get; private set; }

        public bool IsIdle => _running.Count == 0 && _waiting.Count == 0;

        private int HeldCount => _running.Sum(r => r.HeldPageCount);

        private int CachedCount => _cachedPages.Values.Sum();

        public void Submit(SchedulerRequest request)
        {
            if (limits.PagesFor(request.MaxTokenCount) > limits.TotalPageCount)
                TooLargeCount++;
            _waiting.AddLast(request);
        }

        private SchedulerRequest View(SchedulerRequest waiting)
        {
            int cached = _cachedPages.GetValueOrDefault(waiting.Id);
            return waiting with { ComputedTokenCount = cached * limits.PageSize, HeldPageCount = cached, ReleasablePageCount = cached };
        }

        public void Step(string where)
        {
            var running = _running.ToArray();
            var waiting = _waiting.Select(View).ToArray();
            var batch = Scheduler.Schedule(running, waiting, limits.TotalPageCount - HeldCount, limits);

            var scheduled = batch.Chunks.Select(c => c.RequestId).ToList();
            Assert.That(scheduled, Is.Unique, where);
            Assert.That(scheduled.Intersect(batch.Preempted), Is.Empty, $"{where}: preempted and scheduled");
            Assert.That(batch.Preempted.All(id => running.Any(r => r.Id == id)), where);
            Assert.That(batch.Chunks.All(c => c.IsAdmission ? waiting.Any(w => w.Id == c.RequestId) : running.Any(r => r.Id == c.RequestId)), where);
            bool anyWork = running.Length > 0 || waiting.Any(w => !batch.Rejected.Any(r => r.RequestId == w.Id));
            Assert.That(!anyWork || batch.Chunks.Count > 0, $"{where}: work to do but nothing scheduled");
            Assert.That(batch.Preempted.Count == 0 || batch.Chunks.All(c => !c.IsAdmission), $"{where}: admitted in a step that preempted");

            // Order: running decodes, running prefills, admissions.
            int Rank(ScheduledChunk c) => c.IsAdmission ? 2 : running.Single(r => r.Id == c.RequestId).IsDecoding ? 0 : 1;
            Assert.That(batch.Chunks.Select(Rank), Is.Ordered, $"{where}: chunk order");
            bool alone = limits.ChunkedPrefillTokens is null && batch.Chunks.Count == 1 && batch.Chunks[0].IsAdmission;
            Assert.That(batch.TokenCount <= limits.MaxBatchTokens || alone, $"{where}: {batch.TokenCount} tokens over budget");

            foreach (var (id, _) in batch.Rejected)
            {
                var request = _waiting.Single(r => r.Id == id);
                Assert.That(limits.PagesFor(request.MaxTokenCount), Is.GreaterThan(limits.TotalPageCount), where);
                _waiting.Remove(request);
                _cachedPages.Remove(id);
                RejectedCount++;
            }
            foreach (long id in batch.Preempted)
            {
                var request = _running.Single(r => r.Id == id);
                _running.Remove(request);
                if (prefixCache)
                {
                    // Whole computed pages stay cached; reuse stops short of the last token.
                    int cached = Math.Min(request.ComputedTokenCount, request.TokenCount - 1) / limits.PageSize;
                    if (cached > 0)
                        _cachedPages[id] = cached;
                }
                _waiting.AddFirst(request with { ComputedTokenCount = 0, HeldPageCount = 0, ReleasablePageCount = 0 });
            }
            // Admissions pin their cached pages before any allocation can evict them.
            foreach (var chunk in batch.Chunks.Where(c => c.IsAdmission))
            {
                var request = _waiting.Single(r => r.Id == chunk.RequestId);
                _waiting.Remove(request);
                _running.Add(View(request));
                _cachedPages.Remove(request.Id);
            }
            foreach (var chunk in batch.Chunks)
            {
                int at = _running.FindIndex(r => r.Id == chunk.RequestId);
                var request = _running[at];
                Assert.That(chunk.TokenCount, Is.InRange(1, request.RemainingTokenCount), where);
                if (limits.ChunkedPrefillTokens is null && chunk.IsAdmission)
                    Assert.That(chunk.TokenCount, Is.EqualTo(request.RemainingTokenCount), $"{where}: chunking is off");
                Assert.That(chunk.PageCount, Is.GreaterThanOrEqualTo(limits.PagesFor(request.ComputedTokenCount + chunk.TokenCount)), where);
                Allocate(chunk.PageCount - request.HeldPageCount, where);
                _running[at] = request with { HeldPageCount = chunk.PageCount, ReleasablePageCount = chunk.PageCount };
            }
            Assert.That(_running.Count, Is.LessThanOrEqualTo(limits.MaxRunningRequests), where);

            // Forward and sample: chunks advance; a request that caught up samples a token or finishes.
            foreach (var chunk in batch.Chunks)
            {
                int at = _running.FindIndex(r => r.Id == chunk.RequestId);
                var request = _running[at];
                int computed = request.ComputedTokenCount + chunk.TokenCount;
                request = request with { ComputedTokenCount = computed };
                if (computed == request.TokenCount)
                    request = request with { TokenCount = request.TokenCount + 1 };
                if (request.TokenCount == request.MaxTokenCount)
                {
                    _running.RemoveAt(at);
                    FinishedCount++;
                }
                else
                {
                    _running[at] = request;
                }
            }
        }

        /// <summary>Takes free pages, evicting cached pages of waiting requests (from the back of the queue) when they run out.</summary>
        private void Allocate(int pageCount, string where)
        {
            int free = limits.TotalPageCount - HeldCount - CachedCount;
            Assert.That(pageCount, Is.LessThanOrEqualTo(free + CachedCount), $"{where}: pages over-committed");
            for (var node = _waiting.Last; node is not null && pageCount > free; node = node.Previous)
            {
                int cached = _cachedPages.GetValueOrDefault(node.Value.Id);
                int evicted = Math.Min(cached, pageCount - free);
                free += evicted;
                if (cached - evicted > 0)
                    _cachedPages[node.Value.Id] = cached - evicted;
                else
                    _cachedPages.Remove(node.Value.Id);
            }
        }
    }
}
