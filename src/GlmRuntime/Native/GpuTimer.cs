namespace GlmRuntime.Native;

/// <summary>Times launches on one stream with device events: a few warm-up calls, then the mean over repeated calls.</summary>
internal sealed class GpuTimer(DeviceHandle device, StreamHandle stream) : IDisposable
{
    private readonly EventHandle _start = EventHandle.Create(device);
    private readonly EventHandle _end = EventHandle.Create(device);

    /// <summary>Milliseconds per call of <paramref name="launch"/>, averaged over <paramref name="iterations"/> calls.</summary>
    public unsafe double Milliseconds(Func<GlmrtStatus> launch, int iterations, int warmup = 3)
    {
        for (int i = 0; i < warmup; i++)
            Glmrt.Check(launch());
        Glmrt.Check(Glmrt.stream_synchronize(stream));
        Glmrt.Check(Glmrt.event_record(_start, stream));
        for (int i = 0; i < iterations; i++)
            Glmrt.Check(launch());
        Glmrt.Check(Glmrt.event_record(_end, stream));
        Glmrt.Check(Glmrt.event_synchronize(_end));
        float milliseconds;
        Glmrt.Check(Glmrt.event_elapsed_ms(_start, _end, &milliseconds));
        return milliseconds / Math.Max(1, iterations);
    }

    /// <summary>Device-to-device copy bandwidth in GB/s (bytes read + written) over a buffer of <paramref name="bytes"/>.</summary>
    public double CopyGigabytesPerSecond(long bytes, int iterations)
    {
        using var source = DeviceBufferHandle.Create(device, bytes);
        using var target = DeviceBufferHandle.Create(device, bytes);
        Glmrt.Check(Glmrt.buffer_fill(stream, source, 0, (ulong)bytes, 1));
        double ms = Milliseconds(() => Glmrt.copy_on_device(stream, target, 0, source, 0, (ulong)bytes), iterations);
        return 2.0 * bytes / (ms * 1e6);
    }

    public void Dispose()
    {
        _start.Dispose();
        _end.Dispose();
    }
}
