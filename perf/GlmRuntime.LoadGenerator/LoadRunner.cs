using System.Diagnostics;

namespace GlmRuntime.LoadGenerator;

/// <summary>Runs a workload against a target: open-loop at each rate of a sweep, or one request at a time.</summary>
public sealed class LoadRunner(IServingTarget target, IReadOnlyList<int> tokenIds, Action<string>? log = null)
{
    /// <summary>
    /// Requests run (and not counted) before measuring, staggered so that batched and mixed prefill+decode steps are
    /// compiled too: the first rate must not pay for JIT tiers and page-ins.
    /// </summary>
    public int WarmupRequests { get; init; } = 4;

    /// <summary>
    /// Warm-up rounds repeat for at least this long: .NET promotes hot methods to optimized code only after they have
    /// run a while (tiered compilation), and a short warm-up would leave the first measurements on unoptimized code.
    /// </summary>
    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Gamma shape of the arrivals: 1 is Poisson.</summary>
    public double Burstiness { get; init; } = 1;

    /// <summary>At most this many requests in flight (a closed-loop cap); null for none.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Runs <paramref name="workload"/> at each rate; every rate gets fresh prompts (no prefix carried over).</summary>
    public async Task<IReadOnlyList<ServingMetrics>> SweepAsync(ServingWorkload workload, IReadOnlyList<double> rates, CancellationToken cancellationToken)
    {
        Validate();
        foreach (double rate in rates)
            ArrivalSchedule.Create(1, rate, Burstiness); // refuses a bad rate or burstiness before any request runs
        await WarmupAsync(workload, cancellationToken);
        var results = new List<ServingMetrics>();
        for (int i = 0; i < rates.Count; i++)
        {
            var requests = workload.Generate(tokenIds, seedOffset: i + 1);
            log?.Invoke($"rate {FormatRate(rates[i])}: {requests.Count} requests");
            results.Add(await RunRateAsync(requests, rates[i], workload.Seed + i, cancellationToken));
        }
        return results;
    }

    /// <summary>One request at a time (Artificial Analysis' single-stream speed).</summary>
    public async Task<SingleStreamMetrics> SingleStreamAsync(ServingWorkload workload, CancellationToken cancellationToken)
    {
        Validate();
        await WarmupAsync(workload, cancellationToken);
        // Prompts of their own: a sweep on the same server must not have cached them.
        var requests = workload.Generate(tokenIds, seedOffset: 5_000);
        var before = await target.ReadCountersAsync(cancellationToken);
        var outcomes = new List<RequestOutcome>();
        foreach (var request in requests)
            outcomes.Add(await target.RunAsync(request, cancellationToken));
        return SingleStreamMetrics.Compute(outcomes, await target.ReadCountersAsync(cancellationToken) - before);
    }

    public async Task<ServingMetrics> RunRateAsync(IReadOnlyList<WorkloadRequest> requests, double rate, int seed, CancellationToken cancellationToken)
    {
        var schedule = ArrivalSchedule.Create(requests.Count, rate, Burstiness, seed);
        var before = await target.ReadCountersAsync(cancellationToken);
        using var gate = MaxConcurrency is int cap ? new SemaphoreSlim(cap) : null;
        var start = Stopwatch.GetTimestamp();
        var running = new List<Task<RequestOutcome>>(requests.Count);
        for (int i = 0; i < requests.Count; i++)
        {
            TimeSpan wait = schedule[i] - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, cancellationToken);
            running.Add(RunOneAsync(requests[i], gate, cancellationToken));
        }
        var outcomes = await Task.WhenAll(running);
        double duration = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var counters = await target.ReadCountersAsync(cancellationToken) - before;
        return ServingMetrics.Compute(rate, outcomes, duration, counters);
    }

    /// <summary>Checks the runner's own settings; the exception names the property.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupRequests, nameof(WarmupRequests));
        if (MaxConcurrency is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "MaxConcurrency must be at least 1 (or null for no cap).");
        if (!(Burstiness > 0) || double.IsInfinity(Burstiness))
            throw new ArgumentOutOfRangeException(nameof(Burstiness), Burstiness, "Burstiness must be positive and finite.");
    }

    private async Task<RequestOutcome> RunOneAsync(WorkloadRequest request, SemaphoreSlim? gate, CancellationToken cancellationToken)
    {
        await Task.Yield(); // launch without waiting for the request's first await
        if (gate is not null)
            await gate.WaitAsync(cancellationToken); // before the try: only a slot that was taken is released
        try
        {
            return await target.RunAsync(request, cancellationToken);
        }
        finally
        {
            gate?.Release();
        }
    }

    private async Task WarmupAsync(ServingWorkload workload, CancellationToken cancellationToken)
    {
        if (WarmupRequests == 0)
            return;
        var shape = workload with { RequestCount = WarmupRequests, OutputTokens = Math.Min(workload.OutputTokens, 16) };
        var started = Stopwatch.GetTimestamp();
        for (int round = 0; round < 3 || Stopwatch.GetElapsedTime(started) < WarmupDuration; round++)
        {
            var running = new List<Task<RequestOutcome>>();
            foreach (var request in shape.Generate(tokenIds, seedOffset: 10_000 + round)) // fresh prompts: prefill runs every round
            {
                running.Add(target.RunAsync(request, cancellationToken));
                await Task.Delay(TimeSpan.FromMilliseconds(5 * (round % 3)), cancellationToken); // together, then overlapping
            }
            var outcomes = await Task.WhenAll(running);
            if (outcomes.FirstOrDefault(o => !o.Success) is { } failed)
                throw new InvalidOperationException($"A warm-up request failed against {target.Description}: {failed.Error}");
        }
    }

    public static string FormatRate(double rate) => double.IsPositiveInfinity(rate) ? "inf" : rate.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}
