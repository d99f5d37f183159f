using GlmRuntime.Native;

namespace GlmRuntime.Gpu.Tests;

/// <summary>Base of the fixtures that talk to libglmrt directly: one device and one stream for the whole fixture.</summary>
public abstract class DeviceFixture
{
    private protected DeviceHandle Device { get; private set; } = null!;

    private protected StreamHandle Stream { get; private set; } = null!;

    [OneTimeSetUp]
    public void OpenDevice()
    {
        GpuDevice.Require();
        Device = DeviceHandle.Create(0);
        Stream = StreamHandle.Create(Device);
    }

    [OneTimeTearDown]
    public void CloseDevice()
    {
        Stream?.Dispose();
        Device?.Dispose();
    }
}
