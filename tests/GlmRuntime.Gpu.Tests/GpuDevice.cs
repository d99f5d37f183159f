namespace GlmRuntime.Gpu.Tests;

/// <summary>Skips a test (NUnit's Ignore, reported as skipped) unless libglmrt loads and sees a GPU.</summary>
internal static class GpuDevice
{
    private static readonly Lazy<GlmDiagnostics> Report = new(GlmEngine.Diagnose);

    public static void Require()
    {
        var report = Report.Value;
        if (report.GpuLibraryPath is null)
            Assert.Ignore("GPU tests skipped: libglmrt is not built or not loadable (glm diagnose shows where it looked).");
        if (!report.HasGpu)
            Assert.Ignore($"GPU tests skipped: no GPU device ({report.GpuDeviceQuery}).");
    }
}
