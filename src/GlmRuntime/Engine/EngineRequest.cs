using System.Diagnostics;
using System.Threading.Channels;
using GlmRuntime.Kv;
using GlmRuntime.Model;
using GlmRuntime.Sampling;
using GlmRuntime.Scheduling;
using GlmRuntime.Speculative;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Engine;

/// <summary>
/// One request inside the engine: its tokens (prompt, then generated), its KV, its sampler and output state,
/// and the channel its caller reads updates from. Only the engine loop touches it after submission, except
/// <see cref="RequestCancel"/>.
/// </summary>
internal sealed class EngineRequest
{
    private readonly Channel<GenerationUpdate> _updates = Channel.CreateUnbounded<GenerationUpdate>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private volatile bool _cancelRequested;
    private bool _textStopped;
    private GenerationUpdate? _final;

    public EngineRequest(long id, int[] prompt, SamplingParams sampling, int priority, RequestSampler sampler,
        StreamingDetokenizer? detokenizer, int maxTokenCount)
    {
        Id = id;
        Prompt = prompt;
        Sampling = sampling;
        Priority = priority;
        Sampler = sampler;
        Detokenizer = detokenizer;
        StopMatcher = new StopStringMatcher(sampling.Stop, sampling.IncludeStopStringInOutput);
        Tokens = [.. prompt];
        MaxTokenCount = maxTokenCount;
        Clock = Stopwatch.StartNew();
    }

    public long Id { get; }

    public int[] Prompt { get; }

    public SamplingParams Sampling { get; }

    public int Priority { get; }

    public RequestSampler Sampler { get; }

    public StreamingDetokenizer? Detokenizer { get; }

    public StopStringMatcher StopMatcher { get; }

    /// <summary>Prompt then generated tokens: what the KV must hold before the next sample.</summary>
    public List<int> Tokens { get; }

    public int GeneratedCount => Tokens.Count - Prompt.Length;

    /// <summary>Prompt plus MaxTokens, capped at the context limit: the most positions it can need.</summary>
    public int MaxTokenCount { get; }

    /// <summary>Started at submission.</summary>
    public Stopwatch Clock { get; }

    public TimeSpan? FirstTokenAt { get; set; }

    public TimeSpan LastTokenAt { get; set; }

    /// <summary>Prompt tokens the prefix cache supplied at first admission.</summary>
    public int CachedTokenCount { get; set; } = -1;

    /// <summary>Its KV while running, null while waiting.</summary>
    public KvSequence? Kv { get; set; }

    /// <summary>The model's view of <see cref="Kv"/>.</summary>
    public SequenceState? Sequence { get; set; }

    /// <summary>
    /// Target hidden states [d] of positions MtpLength..Length−1, whose MTP slots are not computed yet (the next
    /// token of the last was unknown, or a speculative round just accepted them); empty when the MTP cache is not kept.
    /// </summary>
    public List<float[]> PendingMtpRows { get; } = [];

    /// <summary>This request's speculative decoding totals; null when it is off.</summary>
    public SpeculativeCounters? Speculative { get; init; }

    public bool IsRunning => Kv is not null;

    public bool CancelRequested => _cancelRequested;

    /// <summary>The reader its caller streams.</summary>
    public ChannelReader<GenerationUpdate> Updates => _updates.Reader;

    /// <summary>Whether an update with a finish reason was written.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Marks the request for removal at the start of the next step (any thread).</summary>
    public void RequestCancel() => _cancelRequested = true;

    public SchedulerRequest View(int computed, int held, int releasable) =>
        new(Id, Id, Priority, Tokens.Count, computed, held, releasable, MaxTokenCount);

    /// <summary>
    /// Takes a sampled token: updates text, stop and length state, and writes the update. Returns the finish
    /// reason once the request is done, else null.
    /// </summary>
    public FinishReason? Accept(SampledToken sampled, IReadOnlyList<int> eosTokenIds, int maxSequenceLength)
    {
        int next = sampled.TokenId;
        Tokens.Add(next);
        var now = Clock.Elapsed;
        FirstTokenAt ??= now;
        LastTokenAt = now;

        bool stopToken = Sampling.StopTokenIds.Contains(next) || (!Sampling.IgnoreEos && eosTokenIds.Contains(next));
        FinishReason? finish = stopToken ? FinishReason.Stop : null;
        string text = "";
        if (Detokenizer is not null && !stopToken)
        {
            var match = StopMatcher.Append(Detokenizer.Append(next));
            text = match.Emit;
            if (match.Stopped)
            {
                finish = FinishReason.Stop;
                _textStopped = true;
            }
        }
        if (finish is null && (GeneratedCount >= Sampling.MaxTokens || Tokens.Count >= maxSequenceLength))
            finish = FinishReason.Length;
        if (finish is not null && Detokenizer is not null && !_textStopped)
        {
            // The detokenizer's held bytes may complete a stop string; otherwise release what the matcher held back.
            var tail = StopMatcher.Append(Detokenizer.Flush());
            text += tail.Emit;
            if (tail.Stopped)
                finish = FinishReason.Stop;
            else
                text += StopMatcher.Flush();
        }

        var usage = finish is null ? null
            : new GenerationUsage(Prompt.Length, GeneratedCount, Math.Max(0, CachedTokenCount), FirstTokenAt ?? now)
            {
                Speculative = Speculative?.Snapshot(),
            };
        var update = new GenerationUpdate(text, [next], finish, usage)
        {
            Logprobs = sampled.Logprobs is { } one ? [one] : null,
        };
        if (finish is null)
            _updates.Writer.TryWrite(update);
        else
            _final = update;
        return finish;
    }

    /// <summary>
    /// Writes the final update and closes the stream. The loop calls it after the request's pages are released
    /// and the statistics taken, so a caller that sees the end also sees the engine without the request.
    /// </summary>
    public void Complete()
    {
        if (_final is null)
            throw new InvalidOperationException($"Request {Id} has no final update.");
        IsFinished = true;
        _updates.Writer.TryWrite(_final);
        _updates.Writer.TryComplete();
    }

    /// <summary>Ends the stream with an error (cancellation, rejection, a failed step).</summary>
    public void Fail(Exception error)
    {
        IsFinished = true;
        _updates.Writer.TryComplete(error);
    }
}
