using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GlmRuntime.Native.Tuning;

/// <summary>
/// The process's record of kernel launches that found no tuned configuration: the first miss of each key is logged as
/// a warning with the exact key (to the engine's logger, or to standard error when none is configured), every miss is
/// counted (the engine meter's <c>glm.gpu.untuned_kernel_calls</c>), and <see cref="GlmEngine.Diagnose()"/> lists them.
/// </summary>
internal static class UntunedKernels
{
    private static readonly ConcurrentDictionary<KernelConfigKey, Counter> Misses = new();
    private static ILogger? _logger;

    /// <summary>Where first misses are logged; null writes them to standard error.</summary>
    public static ILogger? Logger
    {
        get => Volatile.Read(ref _logger);
        set => Volatile.Write(ref _logger, value);
    }

    public static void Report(KernelConfigKey key, MoeKernelConfig fallback)
    {
        var counter = Misses.GetOrAdd(key, _ => new Counter());
        if (Interlocked.Increment(ref counter.Calls) != 1)
            return;
        string message = $"GlmRuntime: no tuned kernel configuration for {key} (arch '{key.Architecture}', op '{key.Op}', shape " +
            $"'{key.Shape}', token bucket {key.TokenBucket}); running the untuned fallback {fallback}. Run `glm tune --model DIR` " +
            "on this device and pass the file it writes as GlmEngineOptions.KernelConfigFile (or GLMRT_KERNEL_CONFIGS).";
        if (Logger is { } logger)
            logger.LogWarning("{Message}", message);
        else
            Console.Error.WriteLine("warning: " + message);
    }

    /// <summary>Every key that missed so far, with its call count.</summary>
    public static IReadOnlyList<GlmUntunedKernel> Snapshot() =>
        Misses.Select(m => new GlmUntunedKernel(m.Key.Architecture, m.Key.Op, m.Key.Shape, m.Key.TokenBucket, Interlocked.Read(ref m.Value.Calls)))
            .OrderBy(u => u.Architecture).ThenBy(u => u.Op).ThenBy(u => u.Shape).ThenBy(u => u.TokenBucket).ToList();

    /// <summary>Forgets every miss (tests).</summary>
    internal static void Clear() => Misses.Clear();

    private sealed class Counter
    {
        public long Calls;
    }
}
