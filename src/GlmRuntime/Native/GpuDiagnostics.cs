using System.Runtime.InteropServices;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Configuration;

namespace GlmRuntime.Native;

/// <summary>Builds <see cref="GlmDiagnostics"/>: never throws for a missing library or GPU, it reports them.</summary>
internal static class GpuDiagnostics
{
    /// <summary>What <see cref="Collect()"/> finds, plus the MoE shapes of <paramref name="model"/> each visible GPU lacks a tuned row for.</summary>
    public static GlmDiagnostics Collect(GlmConfig model, string? kernelConfigFile)
    {
        var found = Collect();
        var table = Tuning.KernelConfigTable.Load(kernelConfigFile);
        var missing = found.GpuDevices.Select(d => Tuning.KernelConfigTable.NormalizeArchitecture(d.Architecture)).Distinct()
            .SelectMany(arch => Tuning.ModelKernelShapes.MissingFrom(table, arch, model));
        return found with { UntunedKernels = found.UntunedKernels.Concat(missing).ToList() };
    }

    public static GlmDiagnostics Collect() => Probe() with { UntunedKernels = Tuning.UntunedKernels.Snapshot() };

    private static GlmDiagnostics Probe()
    {
        string runtime = RuntimeInformation.FrameworkDescription;
        string os = $"{RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})";
        string isa = CpuIsaDetection.Best.ToString();
        var library = GlmrtLibrary.Current;
        if (!library.Succeeded)
            return new GlmDiagnostics(runtime, os, Environment.ProcessorCount, isa, null, library.Describe(), null, 0, 0, null, null, []);

        var info = RuntimeInfo();
        var devices = new List<GlmGpuDeviceInfo>();
        for (int i = 0; i < info.DeviceCount; i++)
            devices.Add(Device(i));
        return new GlmDiagnostics(runtime, os, Environment.ProcessorCount, isa, library.Path, null, info.Vendor, info.RuntimeVersion,
            info.DriverVersion, info.CompiledArchitectures, info.DeviceQuery, devices);
    }

    /// <summary>The number of visible GPUs, 0 when the library or a device is missing.</summary>
    public static int DeviceCount(out string reason)
    {
        var library = GlmrtLibrary.Current;
        if (!library.Succeeded)
        {
            reason = library.Describe();
            return 0;
        }
        var info = RuntimeInfo();
        reason = info.DeviceQuery;
        return info.DeviceCount;
    }

    private static unsafe (string Vendor, int RuntimeVersion, int DriverVersion, int DeviceCount, string DeviceQuery, string CompiledArchitectures) RuntimeInfo()
    {
        GlmrtRuntimeInfo info;
        Glmrt.Check(Glmrt.runtime_get_info(&info));
        return (GlmrtText.Read(info.Vendor, 16), info.RuntimeVersion, info.DriverVersion, info.DeviceCount,
            GlmrtText.Read(info.DeviceQueryMessage, 256), GlmrtText.Read(info.CompiledArchitectures, 256));
    }

    private static unsafe GlmGpuDeviceInfo Device(int index)
    {
        GlmrtDeviceInfo d;
        Glmrt.Check(Glmrt.device_get_info(index, &d));
        return new GlmGpuDeviceInfo(index, GlmrtText.Read(d.Name, 256), GlmrtText.Read(d.Architecture, 64), (long)d.TotalMemory,
            (long)d.FreeMemory, d.MultiprocessorCount, d.WarpSize, d.PciBusId);
    }
}
