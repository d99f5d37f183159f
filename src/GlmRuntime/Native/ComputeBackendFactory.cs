using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Weights;

namespace GlmRuntime.Native;

/// <summary>Chooses the backend for <see cref="GlmEngineOptions.Device"/>.</summary>
internal static class ComputeBackendFactory
{
    /// <exception cref="InvalidOperationException">The GPU was requested and there is none, or libglmrt does not load.</exception>
    public static IComputeBackend Create(GlmWeights weights, ComputeDevice device, int gpuDeviceIndex, int? threadCount,
        CpuActivationPrecision activations, string? kernelConfigFile = null)
    {
        if (device == ComputeDevice.Cpu)
            return new CpuBackend(threadCount, activations: activations);
        int count = GpuDiagnostics.DeviceCount(out string reason);
        if (count > gpuDeviceIndex)
            return new GpuBackend(gpuDeviceIndex, weights.AllLinearWeights(), Tuning.KernelConfigTable.Load(kernelConfigFile));
        if (device == ComputeDevice.Auto)
            return new CpuBackend(threadCount, activations: activations);
        throw new InvalidOperationException(count == 0
            ? $"GlmEngineOptions.Device is Gpu, but no GPU is available: {reason}"
            : $"GlmEngineOptions.GpuDeviceIndex is {gpuDeviceIndex}, but only {count} GPU(s) are visible ({reason}).");
    }
}
