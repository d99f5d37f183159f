namespace GlmRuntime.Gpu.Tests;

/// <summary>Skips a test (NUnit's Ignore, reported as skipped) unless libglmrt loads and sees a GPU.</summary>
internal static class GpuDevice
{
    private static readonly Lazy<GlmDiagnostics> Report = new(GlmEngine.Diagnose);

    /// <summary>True when the library is the CPU emulator build (native/build.sh emulator): same kernels, far slower.</summary>
    public static bool IsEmulator => Report.Value.GpuVendor == "emulator";

    /// <summary>Set (to anything) where a device is expected, so a missing one fails instead of skipping (.ci/run's emulator runs).</summary>
    public const string RequireVariable = "GLMRT_TESTS_REQUIRE_GPU";

    public static void Require()
    {
        var report = Report.Value;
        string? missing = report.GpuLibraryPath is null
            ? "libglmrt is not built or not loadable: " + report.GpuLibraryError
            : !report.HasGpu ? $"no GPU device ({report.GpuDeviceQuery})" : null;
        if (missing is null)
            return;
        if (Environment.GetEnvironmentVariable(RequireVariable) is not null)
            Assert.Fail($"{RequireVariable} is set, but {missing}");
        Assert.Ignore($"GPU tests skipped: {missing}");
    }
}
