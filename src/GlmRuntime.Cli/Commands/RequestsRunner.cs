using GlmRuntime.Tokenization;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// Runs the requests of a <c>--requests</c> file on one engine and prints one JSON line per request in file order.
/// With no concurrency limit (or one at least the number of requests) all are submitted together through
/// <see cref="GlmEngine.GenerateBatchAsync"/>, so they enter the scheduler in the same step. Otherwise at most C are in
/// flight: a sliding window starts the next request as soon as one finishes, and each line is printed once every
/// line before it is known. A request the model rejects (too long, an id outside the vocabulary, a text prompt
/// without a tokenizer) or the engine fails prints <c>{"id", "error"}</c>; the others go on.
/// </summary>
internal sealed class RequestsRunner
{
    private readonly GlmEngine _engine;
    private readonly IReadOnlyList<RequestLine> _lines;
    private readonly TextWriter _output;
    private readonly RequestOutcome?[] _outcomes;
    private int _printed;

    private RequestsRunner(GlmEngine engine, IReadOnlyList<RequestLine> lines, TextWriter output)
    {
        _engine = engine;
        _lines = lines;
        _output = output;
        _outcomes = new RequestOutcome?[lines.Count];
    }

    /// <summary>Runs every line; 0 when all succeeded, 1 when any failed.</summary>
    /// <param name="engine">The loaded model.</param>
    /// <param name="lines">The requests, in file order.</param>
    /// <param name="flags">The command line's sampling options, the defaults of every line.</param>
    /// <param name="concurrency">Most requests in flight; null submits all at once.</param>
    /// <param name="output">Receives one JSON line per request, in file order.</param>
    /// <param name="cancellationToken">Cancels every request in flight.</param>
    public static async Task<int> RunAsync(GlmEngine engine, IReadOnlyList<RequestLine> lines, SamplingFlags flags, int? concurrency,
        TextWriter output, CancellationToken cancellationToken)
    {
        var runner = new RequestsRunner(engine, lines, output);
        SamplingParams defaults = flags.ApplyTo(engine.DefaultSamplingParams);
        var ready = new List<(int Index, GenerationRequest Request)>();
        for (int i = 0; i < lines.Count; i++)
        {
            if (runner.Prepare(i, defaults) is { } request)
                ready.Add((i, request));
        }

        int limit = concurrency ?? int.MaxValue;
        if (limit >= ready.Count)
            await runner.RunTogetherAsync(ready, cancellationToken).ConfigureAwait(false);
        else
            await runner.RunWindowAsync(ready, limit, cancellationToken).ConfigureAwait(false);
        runner.PrintReady();
        return runner._outcomes.Any(o => o!.Error is not null) ? 1 : 0;
    }

    /// <summary>The engine request for a line, or null after recording why the model rejects it.</summary>
    private GenerationRequest? Prepare(int index, SamplingParams defaults)
    {
        RequestLine line = _lines[index];
        SamplingParams sampling = line.ApplyTo(defaults);
        if (Check(line, sampling, out int[] prompt) is { } error)
        {
            _outcomes[index] = RequestOutcome.Failed(error);
            return null;
        }
        // Encoded here once for the length check; the engine would encode the same text the same way.
        return GenerationRequest.FromTokens(prompt, sampling);
    }

    /// <summary>
    /// The checks GlmEngine makes when a request is created, made here so that one bad line cannot fail the whole
    /// batch call (GenerateBatchAsync submits nothing when any request is invalid). Returns the error, or null.
    /// </summary>
    private string? Check(RequestLine line, SamplingParams sampling, out int[] prompt)
    {
        prompt = [];
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        int vocab = _engine.Config.VocabSize;
        if (line.Ids is { } ids)
        {
            int bad = Array.FindIndex(ids, id => id >= vocab);
            if (bad >= 0)
                return $"id {ids[bad]} at position {bad} is outside the vocabulary [0, {vocab})";
            prompt = ids;
        }
        else if (_engine.Tokenizer is null)
            return $"a 'prompt' needs a tokenizer, but the model has no {GlmTokenizer.TokenizerFileName}; give 'ids'";
        else
            prompt = _engine.Tokenizer.Encode(line.Prompt!);
        if (prompt.Length == 0)
            return "the prompt has no tokens";
        if (prompt.Length >= _engine.MaxSequenceLength)
            return $"the prompt has {prompt.Length} tokens; the context limit is {_engine.MaxSequenceLength}";
        return null;
    }

    /// <summary>Submits every request in one batch call.</summary>
    private async Task RunTogetherAsync(List<(int Index, GenerationRequest Request)> ready, CancellationToken cancellationToken)
    {
        if (ready.Count == 0)
            return;
        IReadOnlyList<GenerationResult> results;
        try
        {
            results = await _engine.GenerateBatchAsync(ready.Select(r => r.Request).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is InvalidOperationException or ArgumentException)
        {
            // The batch call fails as a whole when one request fails (after all have ended), hiding the others'
            // results and which one failed. Running them again one at a time in flight-all mode attributes each
            // error to its request; greedy and seeded outputs come out the same, unseeded ones are drawn anew.
            await RunWindowAsync(ready, ready.Count, cancellationToken).ConfigureAwait(false);
            return;
        }
        for (int i = 0; i < ready.Count; i++)
            _outcomes[ready[i].Index] = RequestOutcome.Succeeded(results[i]);
    }

    /// <summary>At most <paramref name="limit"/> requests in flight; the next starts as soon as one finishes.</summary>
    private async Task RunWindowAsync(List<(int Index, GenerationRequest Request)> ready, int limit, CancellationToken cancellationToken)
    {
        var inFlight = new Dictionary<Task<GenerationResult>, int>();
        int next = 0;
        while (next < ready.Count || inFlight.Count > 0)
        {
            while (inFlight.Count < limit && next < ready.Count)
            {
                var (index, request) = ready[next++];
                inFlight.Add(GenerateAsync(request, cancellationToken), index);
            }
            Task<GenerationResult> done = await Task.WhenAny(inFlight.Keys).ConfigureAwait(false);
            int finished = inFlight[done];
            inFlight.Remove(done);
            _outcomes[finished] = await SettleAsync(done, cancellationToken).ConfigureAwait(false);
            PrintReady();
        }
    }

    /// <summary>Wraps the call so a request rejected synchronously fails its own task rather than the loop.</summary>
    private async Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken) =>
        await _engine.GenerateAsync(request, cancellationToken).ConfigureAwait(false);

    private static async Task<RequestOutcome> SettleAsync(Task<GenerationResult> task, CancellationToken cancellationToken)
    {
        try
        {
            return RequestOutcome.Succeeded(await task.ConfigureAwait(false));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is InvalidOperationException or ArgumentException)
        {
            return RequestOutcome.Failed(e.Message);
        }
    }

    /// <summary>Prints the outcomes that are known and have every earlier line printed.</summary>
    private void PrintReady()
    {
        while (_printed < _outcomes.Length && _outcomes[_printed] is { } outcome)
        {
            outcome.WriteLine(_output, _lines[_printed].Id);
            _printed++;
        }
    }
}
