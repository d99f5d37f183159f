using GlmRuntime.Native;

namespace GlmRuntime.Gpu.Tests;

/// <summary>The shim's objects through their SafeHandles: memory, copies, fills, events, the weights arena, errors.</summary>
[Category("Gpu")]
[Parallelizable(ParallelScope.None)]
public sealed class GpuShimTests : DeviceFixture
{
    [Test]
    public unsafe void Copies_round_trip_throughDevice_and_pinned_memory()
    {
        var (device, stream) = (Device, Stream);
        using var first = DeviceBufferHandle.Create(device, 4096);
        using var second = DeviceBufferHandle.Create(device, 4096);
        using var pinned = HostBufferHandle.Create(device, 4096);
        var source = Enumerable.Range(0, 1024).Select(i => i * 0.5f).ToArray();
        var back = new float[1024];
        fixed (float* s = source)
            Glmrt.Check(Glmrt.copy_to_device(stream, first, 0, s, 4096));
        Glmrt.Check(Glmrt.copy_on_device(stream, second, 0, first, 0, 4096));
        Glmrt.Check(Glmrt.buffer_fill(stream, second, 0, 16, 0));
        fixed (float* b = back)
            Glmrt.Check(Glmrt.copy_to_host(stream, b, second, 0, 4096));
        Glmrt.Check(Glmrt.copy_to_host(stream, (void*)pinned.Data, first, 0, 4096));
        Glmrt.Check(Glmrt.stream_synchronize(stream));
        Assert.That(back.Take(4), Is.All.EqualTo(0f));
        Assert.That(back.Skip(4), Is.EqualTo(source.Skip(4)));
        Assert.That(new ReadOnlySpan<float>((void*)pinned.Data, 1024).ToArray(), Is.EqualTo(source));
        Assert.That(Glmrt.buffer_size(first), Is.EqualTo(4096UL));
        Assert.That(Glmrt.host_buffer_size(pinned), Is.EqualTo(4096UL));
    }

    [Test]
    public unsafe void Out_of_range_copies_fail_with_a_message_naming_the_call()
    {
        var (device, stream) = (Device, Stream);
        using var buffer = DeviceBufferHandle.Create(device, 64);
        var data = new byte[128];
        GlmrtStatus status;
        fixed (byte* d = data)
            status = Glmrt.copy_to_device(stream, buffer, 32, d, 64);
        Assert.That(status, Is.EqualTo(GlmrtStatus.InvalidArgument));
        Assert.That(Glmrt.LastError(status), Does.StartWith("glmrt_copy_to_device:").And.Contain("outside a buffer of 64"));
        var error = Assert.Throws<GlmGpuException>(() => DeviceHandle.Create(1_000));
        Assert.That(error!.Status, Is.EqualTo((int)GlmrtStatus.NoDevice));
        Assert.That(error.Message, Does.Contain("device 1000 requested"));
    }

    [Test]
    public unsafe void The_weights_arena_aligns_each_upload_and_refuses_overflow()
    {
        var (device, stream) = (Device, Stream);
        using var weights = WeightsHandle.Create(device, 1024);
        var data = new byte[300];
        ulong first, second, third;
        fixed (byte* d = data)
        {
            Glmrt.Check(Glmrt.weights_upload(weights, stream, d, 300, &first));
            Glmrt.Check(Glmrt.weights_upload(weights, stream, d, 100, &second));
            Assert.That(Glmrt.weights_upload(weights, stream, d, 600, &third), Is.EqualTo(GlmrtStatus.OutOfMemory));
        }
        Assert.That(first, Is.EqualTo(0UL));
        Assert.That(second, Is.EqualTo(512UL));
        Assert.That(Glmrt.weights_used(weights), Is.EqualTo(612UL));
        Assert.That(Glmrt.weights_capacity(weights), Is.EqualTo(1024UL));
    }

    [Test]
    public unsafe void Events_time_the_work_between_them()
    {
        var (device, stream) = (Device, Stream);
        using var start = EventHandle.Create(device);
        using var end = EventHandle.Create(device);
        using var buffer = DeviceBufferHandle.Create(device, 1 << 20);
        Glmrt.Check(Glmrt.event_record(start, stream));
        Glmrt.Check(Glmrt.buffer_fill(stream, buffer, 0, 1 << 20, 7));
        Glmrt.Check(Glmrt.event_record(end, stream));
        Glmrt.Check(Glmrt.event_synchronize(end));
        float milliseconds;
        Glmrt.Check(Glmrt.event_elapsed_ms(start, end, &milliseconds));
        Assert.That(milliseconds, Is.GreaterThanOrEqualTo(0f));
        Glmrt.Check(Glmrt.device_synchronize(device));
    }

    [Test]
    public void Default_params_match_the_header()
    {
        Assert.That(Glmrt.device_default_params().Index, Is.EqualTo(0));
        Assert.That(Glmrt.rope_default_params().AttentionFactor, Is.EqualTo(1f));
        Assert.That(Glmrt.router_default_params().ExpertsPerToken, Is.EqualTo(8));
        Assert.That(Glmrt.mla_attention_default_params().KvRank, Is.EqualTo(512));
        Assert.That(Glmrt.sampling_default_params().TopP, Is.EqualTo(1f));
    }
}
