using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using GlmRuntime.Checkpoints;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Tensors;
using GlmRuntime.Weights;

namespace GlmRuntime.Benchmarks.Compute;

/// <summary>
/// The reference CPU matmul (weights decoded row by row, then dotted) on a 4096 × 4096 weight in each stored
/// format, for 1 and 16 activation rows, against <see cref="StreamingDotBaseline"/>: one TensorPrimitives.Dot pass
/// over a float32 matrix of the same shape, the memory roof of this machine measured in the same run. Divide a
/// format's stored bytes (F32 64 MiB, BF16 32 MiB, FP8 16 MiB + scales, MXFP4 8.5 MiB) by its time for GB/s.
/// </summary>
[MemoryDiagnoser]
public class MatMulBenchmarks
{
    private const int N = 4096, K = 4096;
    private SafetensorsFile _file = null!;
    private LinearWeight _weight = null!;
    private float[] _input = [];
    private float[] _output = [];
    private float[] _dense = [];
    private readonly CpuParallel _parallel = new(Environment.ProcessorCount);

    [Params("F32", "BF16", "FP8", "MXFP4")]
    public string Format { get; set; } = "";

    [Params(1, 16)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string path = Path.Combine(Path.GetTempPath(), "glmrt-bench-matmul.safetensors");
        if (!File.Exists(path))
            WriteWeights(path);
        _file = SafetensorsFile.Open(path);
        TensorSlice Slice(string name) => new(_file, _file.GetInfo(name));
        _weight = Format switch
        {
            "F32" => new DenseLinearWeight("f32", N, K, Slice("f32.weight")),
            "BF16" => new DenseLinearWeight("bf16", N, K, Slice("bf16.weight")),
            "FP8" => new Fp8BlockLinearWeight("fp8", N, K, Slice("fp8.weight"), Slice("fp8.weight_scale_inv"), 128, 128),
            _ => new Mxfp4LinearWeight("mxfp4", N, K, Slice("mxfp4.weight"), Slice("mxfp4.weight_scale")),
        };
        var random = new Random(1);
        _input = Enumerable.Range(0, Rows * K).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        _output = new float[Rows * N];
        _dense = Enumerable.Range(0, N * K).Select(i => (float)(i % 7) - 3f).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _file.Dispose();

    [Benchmark]
    public float MatMul()
    {
        MatMulKernel.Multiply(_parallel, _weight, _input, Rows, _output);
        return _output[0];
    }

    /// <summary>Reads a float32 N × K matrix once (row dots against one input row, split over the cores).</summary>
    [Benchmark(Baseline = true)]
    public float StreamingDotBaseline()
    {
        _parallel.For(N, long.MaxValue / N, (start, end) =>
        {
            for (int n = start; n < end; n++)
                _output[n] = TensorPrimitives.Dot(_dense.AsSpan(n * K, K), _input.AsSpan(0, K));
        });
        return _output[0];
    }

    private static void WriteWeights(string path)
    {
        var random = new Random(2);
        float[] values = Enumerable.Range(0, N * K).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var writer = new SafetensorsWriter();
        writer.AddF32("f32.weight", [N, K], values);
        writer.AddBF16("bf16.weight", [N, K], values);
        var fp8 = new byte[N * K];
        var scaleInv = new float[(N / 128) * (K / 128)];
        Fp8BlockQuantizer.Quantize(values, N, K, 128, fp8, scaleInv);
        writer.Add("fp8.weight", DType.F8E4M3, [N, K], fp8);
        writer.AddF32("fp8.weight_scale_inv", [N / 128, K / 128], scaleInv);
        var packed = new byte[N * K / 2];
        var scales = new byte[N * K / 32];
        for (int n = 0; n < N; n++)
            Mxfp4.QuantizeRowQuark(values.AsSpan(n * K, K), packed.AsSpan(n * K / 2, K / 2), scales.AsSpan(n * K / 32, K / 32));
        writer.Add("mxfp4.weight", DType.U8, [N, K / 2], packed);
        writer.Add("mxfp4.weight_scale", DType.U8, [N, K / 32], scales);
        writer.Write(path);
    }
}
