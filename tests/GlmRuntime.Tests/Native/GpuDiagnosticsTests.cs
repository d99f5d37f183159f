using GlmRuntime.Tests.Support;
namespace GlmRuntime.Tests.Native;

/// <summary><see cref="GlmEngine.Diagnose"/> and device selection on a machine that may have no GPU and no libglmrt.</summary>
public sealed class GpuDiagnosticsTests
{
    [Test]
    public void Diagnose_reports_the_library_or_why_it_is_missing_without_throwing()
    {
        var report = GlmEngine.Diagnose();

        Assert.That(report.ProcessorCount, Is.GreaterThan(0));
        Assert.That(report.CpuInstructionSets, Is.AnyOf("Portable", "Avx2", "Avx512"));
        if (report.GpuLibraryPath is null)
        {
            Assert.That(report.GpuLibraryError, Does.Contain("Tried:"));
            Assert.That(report.GpuDevices, Is.Empty);
            Assert.That(report.ToString(), Does.Contain("gpu library:  not loaded"));
        }
        else
        {
            Assert.That(report.GpuLibraryError, Is.Null);
            Assert.That(report.GpuVendor, Is.AnyOf("hip", "cuda"));
            Assert.That(report.GpuCompiledArchitectures, Is.Not.Empty);
            Assert.That(report.GpuDeviceQuery, Is.Not.Empty);
            Assert.That(report.HasGpu, Is.EqualTo(report.GpuDevices.Count > 0));
            foreach (var device in report.GpuDevices)
                Assert.That(device.TotalMemoryBytes, Is.GreaterThan(0));
            Assert.That(report.ToString(), Does.Contain("gpu runtime:"));
        }
    }

    [Test]
    public void Asking_for_the_gpu_without_one_fails_with_the_reason()
    {
        if (GlmEngine.Diagnose().HasGpu)
            Assert.Ignore("this machine has a GPU");
        string model = Support.SharedData.PathOf("models", Support.SharedData.ModelNames().First());

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => GlmEngine.LoadAsync(model, new GlmEngineOptions { Device = ComputeDevice.Gpu }));

        Assert.That(error!.Message, Does.Contain("GlmEngineOptions.Device").And.Contain("no GPU"));
    }

    [Test]
    public async Task Auto_falls_back_to_the_cpu_without_a_gpu()
    {
        if (GlmEngine.Diagnose().HasGpu)
            Assert.Ignore("this machine has a GPU");
        string model = Support.SharedData.PathOf("models", Support.SharedData.ModelNames().First());

        await using var engine = await GlmEngine.LoadAsync(model, new GlmEngineOptions { Device = ComputeDevice.Auto });
        var result = await engine.GenerateAsync([1, 2, 3], SamplingParams.Greedy with { MaxTokens = 2, IgnoreEos = true });

        Assert.That(result.OutputTokenIds, Has.Count.EqualTo(2));
    }

    [Test]
    public void A_negative_device_index_is_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GlmEngineOptions { GpuDeviceIndex = -1 }.Validate());
        Assert.That(error!.ParamName, Is.EqualTo(nameof(GlmEngineOptions.GpuDeviceIndex)));
    }

    [Test]
    public void Glm_bench_gpu_without_a_gpu_fails_with_the_reason()
    {
        if (GlmEngine.Diagnose().HasGpu)
            Assert.Ignore("this machine has a GPU");
        var (code, _, error) = Cli.CliRunner.Run("", "bench", "gpu", "--quick");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("not available").Or.Contain("could not be loaded"));
    }

    [Test]
    public void Glm_diagnose_prints_the_report_and_json()
    {
        var (code, output, error) = Cli.CliRunner.Run("", "diagnose");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("gpu library:"));

        (code, output, error) = Cli.CliRunner.Run("", "diagnose", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("GpuDevices").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Array));
    }

    [Test]
    public void Glm_diagnose_with_a_model_reports_untuned_kernels_and_tune_needs_a_gpu()
    {
        string model = Path.Combine(SharedData.Models, "tiny-glm5-mxfp4");
        var (code, output, error) = Cli.CliRunner.Run("", "diagnose", "--model", model);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("untuned kernels:"));
        (code, output, error) = Cli.CliRunner.Run("", "diagnose", "--json", "--model", model);
        Assert.That(code, Is.EqualTo(0), error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("UntunedKernels").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Array));

        if (GlmEngine.Diagnose().HasGpu)
            return; // the rest is about a machine without one
        (code, _, error) = Cli.CliRunner.Run("", "tune", "--model", model);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("not available").Or.Contain("could not be loaded"));
        (code, _, error) = Cli.CliRunner.Run("", "bench", "kernels", "--quick");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("not available").Or.Contain("could not be loaded"));
        (code, _, error) = Cli.CliRunner.Run("", "tune");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--model"));
    }
}
