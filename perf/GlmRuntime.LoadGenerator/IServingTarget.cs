namespace GlmRuntime.LoadGenerator;

/// <summary>Where the benchmark sends its requests: <see cref="EngineTarget"/> in process, or <see cref="HttpTarget"/>.</summary>
public interface IServingTarget
{
    /// <summary>How the target is described in reports, e.g. "engine (in-process)" or the gateway's URL.</summary>
    string Description { get; }

    /// <summary>Runs one request to the end, streaming, and times it. Failures are outcomes, not exceptions.</summary>
    Task<RequestOutcome> RunAsync(WorkloadRequest request, CancellationToken cancellationToken);

    /// <summary>The server's prefix-cache and speculative-decoding totals now.</summary>
    Task<ServerCounters> ReadCountersAsync(CancellationToken cancellationToken);
}
