using System.Text.Json;
using GlmRuntime.Native;

namespace GlmRuntime.Gpu.Tests;

/// <summary><c>glm bench gpu --quick</c>: every kernel timed against the copy bandwidth of the same run.</summary>
[Category("Gpu")]
[Parallelizable(ParallelScope.None)]
public sealed class GpuBenchTests
{
    [Test]
    public void The_quick_bench_times_every_kernel_against_the_copy_bandwidth()
    {
        GpuDevice.Require();
        var report = GpuBench.Run(0, quick: true, _ => { });

        Assert.That(report.CopyGigabytesPerSecond, Is.GreaterThan(0));
        Assert.That(report.Rows.Select(r => r.Key), Is.SupersetOf(new[]
        {
            "gemv_bf16_t1", "gemv_fp8_block_t1", "gemv_mxfp4_t1", "gemv_mxfp4_t16", "rms_norm_f32", "swiglu_f32", "mla_decode_f32", "sparse_mla_decode_f32",
            "sample_greedy", "sample_top_k_top_p",
        }));
        foreach (var row in report.Rows)
        {
            Assert.That(row.Milliseconds, Is.GreaterThan(0), row.Key);
            Assert.That(row.CopyFraction, Is.EqualTo(row.GigabytesPerSecond / report.CopyGigabytesPerSecond).Within(1e-9), row.Key);
        }
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.That(json.RootElement.GetProperty("copy_bw_gbs").GetDouble(), Is.GreaterThan(0));
        Assert.That(json.RootElement.GetProperty("gemv_mxfp4_t1_copy_fraction").GetDouble(), Is.GreaterThan(0));
    }
}
