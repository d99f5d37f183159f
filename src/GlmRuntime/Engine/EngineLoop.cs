using System.Threading.Channels;
using GlmRuntime.Kv;
using GlmRuntime.Model;
using GlmRuntime.Sampling;
using GlmRuntime.Scheduling;
using GlmRuntime.Speculative;

namespace GlmRuntime.Engine;

/// <summary>
/// The one loop that owns compute. Requests arrive in groups through a channel (a batch call submits its group
/// at once); each step runs schedule → prepare and forward (<see cref="ModelRunner"/>) → sample → postprocess on
/// a dedicated thread; every request streams through its own channel. Cancelled requests leave at the start of
/// the next step with their pages; stopping cancels everything still in flight.
/// </summary>
internal sealed class EngineLoop
{
    private readonly GlmModel _model;
    private readonly KvCacheManager _kv;
    private readonly ModelRunner _runner;
    private readonly SchedulerLimits _limits;
    private readonly EngineMetrics _metrics;
    private readonly IReadOnlyList<int> _eosTokenIds;
    private readonly bool _keepMtpCache;
    private readonly SpeculativeDecodingOptions? _speculative;
    private readonly SpeculativeCounters? _speculativeTotals;
    private readonly bool _verifyPages;
    private readonly Channel<EngineRequest[]> _incoming = Channel.CreateUnbounded<EngineRequest[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LinkedList<EngineRequest> _waiting = new();
    private readonly List<EngineRequest> _running = [];
    private readonly List<EngineRequest> _finished = [];
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _preemptions;
    private long _steps;
    private volatile GlmEngineStatistics _statistics;

    public EngineLoop(GlmModel model, KvCacheManager kv, SchedulerLimits limits, EngineMetrics metrics, IReadOnlyList<int> eosTokenIds,
        bool keepMtpCache, SpeculativeDecodingOptions? speculative, bool verifyPages)
    {
        _model = model;
        _kv = kv;
        _limits = limits;
        _metrics = metrics;
        _eosTokenIds = eosTokenIds;
        _keepMtpCache = keepMtpCache;
        _speculative = keepMtpCache ? speculative : null;
        _speculativeTotals = _speculative is null ? null : new SpeculativeCounters(_speculative.Steps);
        _verifyPages = verifyPages;
        _runner = new ModelRunner(model, keepMtpCache, _speculative, limits.PageSize, verifyPages ? kv.Pool : null);
        _statistics = Snapshot();
        var thread = new Thread(Run) { IsBackground = true, Name = "GlmEngine loop" };
        thread.Start();
    }

    /// <summary>The state after the last step (any thread).</summary>
    public GlmEngineStatistics Statistics => _statistics;

    /// <summary>Queues a group of requests; they reach the scheduler in the same step.</summary>
    /// <exception cref="ObjectDisposedException">The loop is stopping.</exception>
    public void Submit(params EngineRequest[] group)
    {
        if (!_incoming.Writer.TryWrite(group))
            throw new ObjectDisposedException(nameof(GlmEngine), "The engine is disposed.");
    }

    /// <summary>Stops taking requests, cancels those in flight, frees their pages and ends the loop.</summary>
    public Task StopAsync()
    {
        _incoming.Writer.TryComplete();
        return _stopped.Task;
    }

    private void Run()
    {
        try
        {
            while (TakeIncoming())
                Step();
        }
        catch (Exception error)
        {
            foreach (var request in _running.Concat(_waiting).ToList())
                Remove(request, new InvalidOperationException("The engine loop failed.", error));
        }
        finally
        {
            foreach (var request in _finished)
                request.Complete();
            _finished.Clear();
            while (_incoming.Reader.TryRead(out var group))
                Enqueue(group);
            foreach (var request in _running.Concat(_waiting).ToList())
                Remove(request, new OperationCanceledException("The engine was disposed with the request in flight."));
            _statistics = Snapshot();
            _stopped.TrySetResult();
        }
    }

    /// <summary>Moves submitted requests to the queue; blocks while idle. False once stopping.</summary>
    private bool TakeIncoming()
    {
        while (true)
        {
            while (_incoming.Reader.TryRead(out var group))
                Enqueue(group);
            if (_incoming.Reader.Completion.IsCompleted)
                return false;
            if (_running.Count > 0 || _waiting.Count > 0)
                return true;
            if (!_incoming.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                return false;
        }
    }

    /// <summary>schedule → prepare → forward → sample → postprocess.</summary>
    private void Step()
    {
        foreach (var request in _running.Concat(_waiting).Where(r => r.CancelRequested).ToList())
            Remove(request, new OperationCanceledException("The request was cancelled."));

        var plan = Scheduler.Schedule(RunningViews(), WaitingViews(), _kv.Pool.AvailableCount, _limits);
        var work = Apply(plan);
        if (work.Count > 0)
        {
            try
            {
                var output = _runner.Run(work);
                foreach (var (request, count, _) in work)
                {
                    // A prompt just finished prefilling: share its pages now, not only when the request ends.
                    var sequence = request.Sequence!;
                    if (sequence.Length >= request.Prompt.Length && sequence.Length - count < request.Prompt.Length)
                        _kv.CacheRunning(request.Kv!, request.Tokens, ValidTokenCount(sequence));
                }
                foreach (var sampled in output.Sampled)
                    Emit(sampled.Request, ChooseTokens(sampled, output.Logits));
            }
            catch (Exception error)
            {
                // The model rolled the step back; the requests in it cannot go on, the others can. Requests that
                // already finished in this step keep their final update.
                foreach (var (request, _, _) in work)
                {
                    if (!_finished.Contains(request))
                        Remove(request, new InvalidOperationException($"A forward step failed: {error.Message}", error));
                }
            }
            _steps++;
        }
        else if (_running.Count == 0 && _waiting.First is { } stuck && plan.Rejected.Count == 0)
        {
            Remove(stuck.Value, new InvalidOperationException("The scheduler could not admit the request into an idle engine."));
        }
        if (_verifyPages)
            _kv.Pool.CheckAccounting();
        _statistics = Snapshot();
        foreach (var request in _finished)
            request.Complete();
        _finished.Clear();
    }

    /// <summary>
    /// The tokens a request takes from its logit rows: one draw, or for a speculative round the verified drafts
    /// (longest accepted run, exact speculative sampling when sampled) plus the target's own token; the round is
    /// then settled (rejected positions rolled back, MTP slots of the accepted ones made pending).
    /// </summary>
    private List<SampledToken> ChooseTokens(ModelRunner.Sampled sampled, float[] logits)
    {
        int vocab = _model.Config.VocabSize;
        var request = sampled.Request;
        var row = logits.AsSpan(sampled.FirstLogitRow * vocab);
        var drafts = sampled.Drafts;
        var chosen = new List<SampledToken>(drafts.Length + 1);
        int accepted = 0;
        while (accepted < drafts.Length)
        {
            var token = request.Sampler.NextGivenDraft(row.Slice(accepted * vocab, vocab), drafts[accepted], out bool match);
            chosen.Add(token);
            if (!match)
                break;
            accepted++;
        }
        if (accepted == drafts.Length)
            chosen.Add(request.Sampler.Next(row.Slice(accepted * vocab, vocab)));   // the bonus token (or a plain decode)
        if (drafts.Length > 0)
        {
            _runner.Settle(sampled, accepted);
            request.Speculative?.Add(drafts.Length, accepted);
            _speculativeTotals?.Add(drafts.Length, accepted);
            _metrics.RoundVerified(drafts.Length, accepted);
        }
        return chosen;
    }

    /// <summary>Hands the chosen tokens to the request in order; a finish (eos, stop, length) discards the rest.</summary>
    private void Emit(EngineRequest request, List<SampledToken> tokens)
    {
        foreach (var token in tokens)
        {
            var previous = request.FirstTokenAt is null ? (TimeSpan?)null : request.LastTokenAt;
            var finish = request.Accept(token, _eosTokenIds, _model.MaxSequenceLength);
            _metrics.TokenGenerated(previous, request.LastTokenAt);
            if (finish is not null)
            {
                Finish(request, finish.Value);
                return;
            }
        }
    }

    /// <summary>Carries out the plan on the queues and the KV; returns the step's work in plan order.</summary>
    private List<StepWork> Apply(ScheduledBatch plan)
    {
        foreach (var (id, reason) in plan.Rejected)
            Remove(Find(_waiting, id), new InvalidOperationException(reason));
        foreach (long id in plan.Preempted)
            Preempt(_running.First(r => r.Id == id));

        // Lock every admitted prefix before any reservation can evict cached pages.
        foreach (var chunk in plan.Chunks.Where(c => c.IsAdmission))
            Admit(Find(_waiting, chunk.RequestId));

        var work = new List<StepWork>(plan.Chunks.Count);
        foreach (var chunk in plan.Chunks)
        {
            var request = _running.First(r => r.Id == chunk.RequestId);
            int start = request.Sequence!.Length;
            int count = Math.Min(chunk.TokenCount, request.Tokens.Count - start);
            if (count <= 0)
                continue;
            // A decode given more than its one token speculates with the rest as drafts.
            int drafts = count == 1 && start > 0 && request.PendingMtpRows.Count > 0 ? Math.Max(0, chunk.TokenCount - 1) : 0;
            if (!_kv.TryReserve(request.Kv!, start + count + drafts))
            {
                Preempt(request);
                continue;
            }
            work.Add(new StepWork(request, count, drafts));
        }
        return work;
    }

    private void Admit(EngineRequest request)
    {
        _waiting.Remove(request);
        var kv = _kv.CreateSequence();
        int cached = _kv.Admit(kv, request.Tokens, request.Prompt.Length);
        request.Kv = kv;
        int mainLayers = _model.Layers.Count;
        request.Sequence = new SequenceState(kv.Slots[..mainLayers], _keepMtpCache ? kv.Slots[mainLayers] : null);
        if (request.CachedTokenCount < 0)
        {
            request.CachedTokenCount = Math.Min(cached, request.Prompt.Length);
            _metrics.Admitted(request.Prompt.Length, request.CachedTokenCount, _kv.Prefix is not null);
        }
        _running.Add(request);
    }

    private void Preempt(EngineRequest request)
    {
        Release(request);
        _running.Remove(request);
        _waiting.AddFirst(request);
        _preemptions++;
        _metrics.Preempted();
    }

    private void Finish(EngineRequest request, FinishReason reason)
    {
        Release(request);
        _running.Remove(request);
        _finished.Add(request);
        _metrics.Finished(reason, request.Clock.Elapsed);
    }

    /// <summary>Takes a request out of the engine with an error (cancellation, rejection, failure).</summary>
    private void Remove(EngineRequest request, Exception error)
    {
        if (request.IsRunning)
            Release(request);
        _running.Remove(request);
        _waiting.Remove(request);
        request.Fail(error);
        _metrics.Finished(null, request.Clock.Elapsed);
    }

    /// <summary>Gives the request's pages back, caching what it computed (prompt and output) for later requests.</summary>
    private void Release(EngineRequest request)
    {
        _kv.Free(request.Kv!, request.Tokens, ValidTokenCount(request.Sequence!), cache: true);
        request.Kv = null;
        request.Sequence = null;
        request.PendingMtpRows.Clear();
    }

    /// <summary>Positions whose rows are complete in every cached slot (the MTP layer lags by one).</summary>
    private int ValidTokenCount(SequenceState sequence) =>
        _keepMtpCache ? Math.Min(sequence.Length, sequence.MtpLength) : sequence.Length;

    private List<SchedulerRequest> RunningViews() =>
        _running.Select(r => r.View(r.Sequence!.Length, r.Kv!.Table.PageCount, _kv.ReleasablePageCount(r.Kv!)) with { DraftTokenCount = DraftsFor(r) }).ToList();

    /// <summary>
    /// Drafts a decode of <paramref name="request"/> would verify: the configured steps, fewer near its length
    /// limit (a round emits at most drafts + 1 tokens, and none may pass MaxTokens or the context).
    /// </summary>
    private int DraftsFor(EngineRequest request) =>
        _speculative is null || request.PendingMtpRows.Count == 0 ? 0
        : Math.Clamp(request.MaxTokenCount - request.Tokens.Count - 1, 0, _speculative.Steps);

    /// <summary>Queue views; the prefix cache is consulted for the requests that could be admitted this step.</summary>
    private List<SchedulerRequest> WaitingViews()
    {
        var views = new List<SchedulerRequest>(_waiting.Count);
        int peeks = _limits.MaxRunningRequests - _running.Count + 1;
        foreach (var request in _waiting)
        {
            if (peeks-- > 0 && _kv.Peek(request.Tokens) is { } match)
                views.Add(request.View(match.PageCount * _limits.PageSize, match.PageCount, match.ReclaimablePageCount));
            else
                views.Add(request.View(0, 0, 0));
        }
        return views;
    }

    private void Enqueue(EngineRequest[] group)
    {
        foreach (var request in group)
            _waiting.AddLast(request);
    }

    private static EngineRequest Find(LinkedList<EngineRequest> queue, long id) => queue.First(r => r.Id == id);

    private GlmEngineStatistics Snapshot()
    {
        var pool = _kv.Pool;
        return new GlmEngineStatistics(_waiting.Count, _running.Count, pool.TotalCount, pool.FreeCount, pool.InUseCount, pool.CachedOnlyCount,
            _limits.PageSize, _kv.Prefix?.QueriedTokenCount ?? 0, _kv.Prefix?.HitTokenCount ?? 0, _preemptions, _steps)
        {
            Speculative = _speculativeTotals?.Snapshot(),
        };
    }
}
