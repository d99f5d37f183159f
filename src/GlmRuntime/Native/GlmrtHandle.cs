using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GlmRuntime.Native;

/// <summary>
/// Base of the one-SafeHandle-per-native-object types. A child (stream, buffer, ...) holds a reference on its device
/// handle, so the device is destroyed only after everything created on it, whatever order finalizers run in.
/// </summary>
internal abstract class GlmrtHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private GlmrtHandle? _parent;

    protected GlmrtHandle() : base(ownsHandle: true)
    {
    }

    /// <summary>A native create call that writes the new object to its last argument.</summary>
    protected unsafe delegate GlmrtStatus Creator(nint* created);

    /// <summary>Runs <paramref name="create"/> (throwing on failure) and wraps its object, which holds a reference on <paramref name="parent"/>.</summary>
    protected static unsafe T Open<T>(Creator create, GlmrtHandle? parent) where T : GlmrtHandle, new()
    {
        nint native;
        Glmrt.Check(create(&native));
        var handle = new T();
        handle.Adopt(native, parent);
        return handle;
    }

    /// <summary>Takes ownership of <paramref name="native"/>, keeping <paramref name="parent"/> alive until release.</summary>
    private void Adopt(nint native, GlmrtHandle? parent)
    {
        if (parent is not null)
        {
            bool added = false;
            parent.DangerousAddRef(ref added);
            _parent = parent;
        }
        SetHandle(native);
    }

    protected abstract void Destroy(nint native);

    protected sealed override bool ReleaseHandle()
    {
        Destroy(handle);
        _parent?.DangerousRelease();
        _parent = null;
        return true;
    }
}

/// <summary>glmrt_device.</summary>
internal sealed class DeviceHandle : GlmrtHandle
{
    public static unsafe DeviceHandle Create(int index)
    {
        GlmrtLibrary.EnsureLoaded();
        var p = Glmrt.device_default_params();
        p.Index = index;
        return Open<DeviceHandle>(created => Glmrt.device_create(p, created), null);
    }

    protected override void Destroy(nint native) => Glmrt.device_destroy(native);
}

/// <summary>glmrt_stream.</summary>
internal sealed class StreamHandle : GlmrtHandle
{
    public static unsafe StreamHandle Create(DeviceHandle device) => Open<StreamHandle>(created => Glmrt.stream_create(device, created), device);

    protected override void Destroy(nint native) => Glmrt.stream_destroy(native);
}

/// <summary>glmrt_event.</summary>
internal sealed class EventHandle : GlmrtHandle
{
    public static unsafe EventHandle Create(DeviceHandle device) => Open<EventHandle>(created => Glmrt.event_create(device, created), device);

    protected override void Destroy(nint native) => Glmrt.event_destroy(native);
}

/// <summary>glmrt_buffer: device memory.</summary>
internal sealed class DeviceBufferHandle : GlmrtHandle
{
    public static unsafe DeviceBufferHandle Create(DeviceHandle device, long bytes)
    {
        var handle = Open<DeviceBufferHandle>(created => Glmrt.buffer_create(device, checked((ulong)bytes), created), device);
        handle.Bytes = bytes;
        handle.Data = Glmrt.buffer_data(handle);
        return handle;
    }

    /// <summary>A new buffer holding <paramref name="values"/>; the copy is queued on <paramref name="stream"/>.</summary>
    public static DeviceBufferHandle CreateFrom<T>(DeviceHandle device, StreamHandle stream, ReadOnlySpan<T> values) where T : unmanaged
    {
        var buffer = Create(device, Math.Max(1, (long)values.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
        buffer.CopyFrom(stream, 0, values);
        return buffer;
    }

    /// <summary>The device pointer of the first byte.</summary>
    public nint Data { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Queues the copy of <paramref name="values"/> to byte <paramref name="offset"/> on <paramref name="stream"/>.</summary>
    public unsafe void CopyFrom<T>(StreamHandle stream, long offset, ReadOnlySpan<T> values) where T : unmanaged
    {
        fixed (T* source = values)
            Glmrt.Check(Glmrt.copy_to_device(stream, this, (ulong)offset, source, (ulong)((long)values.Length * sizeof(T))));
    }

    protected override void Destroy(nint native) => Glmrt.buffer_destroy(native);
}

/// <summary>glmrt_host_buffer: pinned host memory for staging.</summary>
internal sealed class HostBufferHandle : GlmrtHandle
{
    public static unsafe HostBufferHandle Create(DeviceHandle device, long bytes)
    {
        var handle = Open<HostBufferHandle>(created => Glmrt.host_buffer_create(device, checked((ulong)bytes), created), device);
        handle.Bytes = bytes;
        handle.Data = Glmrt.host_buffer_data(handle);
        return handle;
    }

    public nint Data { get; private set; }

    public long Bytes { get; private set; }

    protected override void Destroy(nint native) => Glmrt.host_buffer_destroy(native);
}

/// <summary>glmrt_weights: the device arena holding a model's packed weights.</summary>
internal sealed class WeightsHandle : GlmrtHandle
{
    public static unsafe WeightsHandle Create(DeviceHandle device, long capacity)
    {
        var handle = Open<WeightsHandle>(created => Glmrt.weights_create(device, checked((ulong)capacity), created), device);
        handle.Data = Glmrt.weights_data(handle);
        return handle;
    }

    /// <summary>The arena's device pointer.</summary>
    public nint Data { get; private set; }

    protected override void Destroy(nint native) => Glmrt.weights_destroy(native);
}
