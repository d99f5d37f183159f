using System.Text;

namespace GlmRuntime;

/// <summary>
/// What <see cref="GlmEngine.Diagnose()"/> found: the process and CPU, the GPU library (where it loaded from, or every
/// path tried and why each failed), the HIP/CUDA runtime and driver versions, and each visible GPU.
/// </summary>
/// <param name="Runtime">The .NET runtime description.</param>
/// <param name="OperatingSystem">The OS description and process architecture.</param>
/// <param name="ProcessorCount">Logical processors visible to the process.</param>
/// <param name="CpuInstructionSets">The CPU backend's kernel tier ("Avx512", "Avx2" or "Portable").</param>
/// <param name="GpuLibraryPath">Where libglmrt was loaded from, or null when it was not.</param>
/// <param name="GpuLibraryError">Why libglmrt did not load (every path tried), or null when it did.</param>
/// <param name="GpuVendor">"hip" or "cuda": the toolchain the library was built with; null without a library.</param>
/// <param name="GpuRuntimeVersion">The runtime's version number (HIP: major·10⁷ + minor·10⁵ + patch; CUDA: major·1000 + minor·10).</param>
/// <param name="GpuDriverVersion">The driver's version number in the runtime's encoding.</param>
/// <param name="GpuCompiledArchitectures">The offload targets in the library (e.g. "gfx90a,gfx940" or "sm_90").</param>
/// <param name="GpuDeviceQuery">The runtime's answer to the device query ("2 device(s)", "hipErrorNoDevice: ...").</param>
/// <param name="GpuDevices">The visible GPUs (empty without one).</param>
public sealed record GlmDiagnostics(
    string Runtime,
    string OperatingSystem,
    int ProcessorCount,
    string CpuInstructionSets,
    string? GpuLibraryPath,
    string? GpuLibraryError,
    string? GpuVendor,
    int GpuRuntimeVersion,
    int GpuDriverVersion,
    string? GpuCompiledArchitectures,
    string? GpuDeviceQuery,
    IReadOnlyList<GlmGpuDeviceInfo> GpuDevices)
{
    /// <summary>
    /// GPU kernel shapes without a tuned configuration: those that ran untuned in this process so far, and, from
    /// <see cref="GlmEngine.Diagnose(string, string)"/>, those the model would run untuned on each visible GPU (0 calls).
    /// </summary>
    public IReadOnlyList<GlmUntunedKernel> UntunedKernels { get; init; } = [];

    /// <summary>True when at least one GPU can run the GPU backend.</summary>
    public bool HasGpu => GpuDevices.Count > 0;

    /// <summary>A multi-line report (what <c>glm diagnose</c> prints).</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"runtime:      {Runtime} on {OperatingSystem}");
        text.AppendLine($"cpu:          {ProcessorCount} logical processors, kernels {CpuInstructionSets}");
        if (GpuLibraryPath is null)
        {
            text.AppendLine("gpu library:  not loaded");
            foreach (string line in (GpuLibraryError ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                text.AppendLine($"  {line.TrimEnd()}");
            return text.ToString();
        }
        text.AppendLine($"gpu library:  {GpuLibraryPath} ({GpuVendor}, built for {GpuCompiledArchitectures})");
        text.AppendLine($"gpu runtime:  {GpuRuntimeVersion}, driver {GpuDriverVersion}");
        text.AppendLine($"devices:      {GpuDeviceQuery}");
        foreach (var device in GpuDevices)
            text.AppendLine($"  [{device.Index}] {device}");
        text.AppendLine(UntunedKernels.Count == 0 ? "untuned kernels: none" : $"untuned kernels: {UntunedKernels.Count} shape(s) without a tuned configuration (run `glm tune`)");
        foreach (var kernel in UntunedKernels)
            text.AppendLine($"  {kernel}");
        return text.ToString();
    }
}

/// <summary>One GPU as the runtime reports it.</summary>
/// <param name="Index">The runtime's device index (<see cref="GlmEngineOptions.GpuDeviceIndex"/>).</param>
/// <param name="Name">Marketing name.</param>
/// <param name="Architecture">"gfx942:sramecc+:xnack-", "sm_90", ...</param>
/// <param name="TotalMemoryBytes">Device memory.</param>
/// <param name="FreeMemoryBytes">Free device memory at the time of the query.</param>
/// <param name="MultiprocessorCount">Compute units (AMD) or SMs (NVIDIA).</param>
/// <param name="WarpSize">Wavefront or warp width.</param>
/// <param name="PciBusId">PCI bus id.</param>
public sealed record GlmGpuDeviceInfo(int Index, string Name, string Architecture, long TotalMemoryBytes, long FreeMemoryBytes,
    int MultiprocessorCount, int WarpSize, int PciBusId)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} ({Architecture}), {TotalMemoryBytes / (1L << 20)} MiB ({FreeMemoryBytes / (1L << 20)} MiB free), " +
        $"{MultiprocessorCount} compute units, warp {WarpSize}, PCI bus {PciBusId}";
}

/// <summary>
/// A GPU kernel shape that has no row in the tuned kernel-configuration table, so it runs with an untuned fallback
/// launch (slower than it could be): the key the table is searched by, and how often it ran.
/// </summary>
/// <param name="Architecture">The device architecture ("sm_90", "gfx942").</param>
/// <param name="Op">The operation ("moe_experts").</param>
/// <param name="Shape">The operation's shape ("mxfp4 d6144 i2048 e256 k8").</param>
/// <param name="TokenBucket">The token bucket (a power of two; the last one also holds every larger count).</param>
/// <param name="Calls">Launches so far in this process (0 for a shape a model would run but has not yet).</param>
public sealed record GlmUntunedKernel(string Architecture, string Op, string Shape, int TokenBucket, long Calls)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Architecture} {Op} '{Shape}' tokens≤{TokenBucket}" + (Calls > 0 ? $": {Calls} call(s)" : "");
}
