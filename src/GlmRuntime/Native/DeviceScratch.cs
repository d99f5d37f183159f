namespace GlmRuntime.Native;

/// <summary>
/// One growable device buffer that each GPU-backend call lays its operands out in (256-byte aligned slices), so a
/// steady-state step allocates no device memory. Not thread-safe: the backend serializes its calls.
/// </summary>
internal sealed class DeviceScratch(DeviceHandle device, StreamHandle stream) : IDisposable
{
    private const long Alignment = 256;
    private DeviceBufferHandle? _buffer;
    private long _used;

    /// <summary>Bytes a slice of <paramref name="count"/> values takes, alignment included.</summary>
    public static unsafe long SizeOf<T>(long count) where T : unmanaged => Align(Math.Max(1, count) * sizeof(T));

    /// <summary>Starts a call's layout; the buffer grows (dropping old contents) when it cannot hold <paramref name="bytes"/>.</summary>
    public void Reset(long bytes)
    {
        if (_buffer is null || _buffer.Bytes < bytes)
        {
            Glmrt.Check(Glmrt.stream_synchronize(stream)); // the old buffer may still be read by queued work
            long size = Math.Max(bytes, Math.Max(1L << 20, (_buffer?.Bytes ?? 0) * 2));
            _buffer?.Dispose();
            _buffer = null;
            _buffer = DeviceBufferHandle.Create(device, size);
        }
        _used = 0;
    }

    /// <summary>Reserves a slice of <paramref name="count"/> values and returns its device pointer.</summary>
    public unsafe nint Take<T>(long count) where T : unmanaged
    {
        long size = SizeOf<T>(count);
        if (_buffer is null || _used + size > _buffer.Bytes)
            throw new InvalidOperationException($"GPU scratch overflow: {_used + size} bytes needed, {_buffer?.Bytes ?? 0} reserved.");
        nint pointer = _buffer.Data + (nint)_used;
        _used += size;
        return pointer;
    }

    /// <summary>Reserves a slice and queues the copy of <paramref name="values"/> into it.</summary>
    public unsafe nint Put<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        nint pointer = Take<T>(values.Length);
        _buffer!.CopyFrom(stream, pointer - _buffer.Data, values);
        return pointer;
    }

    /// <summary>Copies a slice back into <paramref name="destination"/> and waits for it (and all work before it).</summary>
    public unsafe void Get<T>(nint pointer, Span<T> destination) where T : unmanaged
    {
        fixed (T* target = destination)
        {
            Glmrt.Check(Glmrt.copy_to_host(stream, target, _buffer!, (ulong)(pointer - _buffer!.Data), (ulong)((long)destination.Length * sizeof(T))));
            Glmrt.Check(Glmrt.stream_synchronize(stream));
        }
    }

    private static long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;

    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}
