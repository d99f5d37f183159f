namespace GlmRuntime;

/// <summary>Where the model's kernels run (<see cref="GlmEngineOptions.Device"/>).</summary>
public enum ComputeDevice
{
    /// <summary>The managed CPU backend (works everywhere; the reference the GPU backend is tested against).</summary>
    Cpu,

    /// <summary>The GPU backend through libglmrt; loading fails with the reason when no library or device is found.</summary>
    Gpu,

    /// <summary>The GPU when libglmrt loads and a device is present, otherwise the CPU.</summary>
    Auto,
}
