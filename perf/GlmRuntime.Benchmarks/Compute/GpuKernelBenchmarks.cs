using BenchmarkDotNet.Attributes;
using GlmRuntime.Native;
using GlmRuntime.Native.Tuning;

namespace GlmRuntime.Benchmarks.Compute;

/// <summary>
/// The grouped MoE on GPU 0 at GLM-5's shape (hidden 6144, expert width 2048, 256 experts, top-8) in MXFP4 and BF16,
/// one glmrt_moe_experts call plus a stream synchronization per invocation, with the kernel table's configuration
/// for the token count (the untuned fallback where it has none). <c>glm bench kernels</c> reports the same calls as
/// bytes moved and a fraction of the copy bandwidth measured in the same run. Needs a GPU (GLMRT_LIBRARY_PATH may
/// name the library); setup fails with the reason otherwise.
/// </summary>
public class GpuMoeBenchmarks
{
    private DeviceHandle _device = null!;
    private StreamHandle _stream = null!;
    private GpuTimer _timer = null!;
    private SyntheticMoeLayer _layer = null!;
    private MoeKernelConfig _config = null!;

    [Params("MXFP4", "BF16")]
    public string Format { get; set; } = "";

    [Params(1, 8, 32, 128, 512)]
    public int Tokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (!GlmEngine.Diagnose().HasGpu)
            throw new InvalidOperationException("GpuMoeBenchmarks needs a GPU; `glm diagnose` says what was found.");
        var dtype = Format == "MXFP4" ? GlmrtDType.Mxfp4 : GlmrtDType.BF16;
        _device = DeviceHandle.Create(0);
        _stream = StreamHandle.Create(_device);
        _timer = new GpuTimer(_device, _stream);
        _layer = new SyntheticMoeLayer(_device, _stream, dtype, 6144, 2048, 256, 8, 512);
        string architecture = GlmEngine.Diagnose().GpuDevices[0].Architecture;
        _config = KernelConfigTable.Load().Moe(architecture, _layer.Shape, Tokens, 8, 256);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _layer?.Dispose();
        _timer?.Dispose();
        _stream?.Dispose();
        _device?.Dispose();
    }

    /// <summary>One grouped MoE call (device time by events, so the bus and the host are not in it).</summary>
    [Benchmark]
    public double MoeExperts() => _layer.Time(_timer, _config, Tokens, iterations: 1, warmup: 0);
}
