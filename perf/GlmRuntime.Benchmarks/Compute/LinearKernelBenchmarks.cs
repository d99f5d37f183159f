using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Weights;

namespace GlmRuntime.Benchmarks.Compute;

/// <summary>
/// The register-decoding matmul (<c>glm bench cpu</c>'s GEMV and GEMM figures) on a 16384 × 8192 MXFP4, 8192 × 8192
/// FP8 or BF16 weight, for 1, 16 and 128 token rows, against <see cref="StreamingReadBaseline"/>: one Vector sum over
/// the same weight bytes on the same threads, this machine's read roof measured in the same run (the Ratio column
/// at 1 token is the inverse of the bandwidth fraction). MemoryDiagnoser shows what a call allocates.
/// </summary>
[MemoryDiagnoser]
public class LinearKernelBenchmarks
{
    private RandomLinearWeight _weight = null!;
    private float[] _input = [];
    private float[] _output = [];
    private CpuParallel _parallel = new(Environment.ProcessorCount);

    [Params("MXFP4", "FP8", "BF16")]
    public string Format { get; set; } = "";

    [Params(1, 16, 128)]
    public int Tokens { get; set; }

    /// <summary>Activation precision of MXFP4 products (FP8 and BF16 always use float32).</summary>
    [Params(CpuActivationPrecision.Float32, CpuActivationPrecision.Int8)]
    public CpuActivationPrecision Activations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _parallel = new CpuParallel(Environment.ProcessorCount, activations: Activations);
        var (format, n) = Format switch
        {
            "MXFP4" => (WeightFormat.Mxfp4, 16384),
            "FP8" => (WeightFormat.Fp8Block, 8192),
            _ => (WeightFormat.BF16, 8192),
        };
        _weight = RandomLinearWeight.Create(Path.Combine(Path.GetTempPath(), $"glmrt-bdn-{Format}.safetensors"), format, n, 8192, seed: 3);
        var random = new Random(1);
        _input = Enumerable.Range(0, Tokens * 8192).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        _output = new float[Tokens * n];
    }

    [GlobalCleanup]
    public void Cleanup() => _weight.Dispose();

    [Benchmark]
    public float Multiply()
    {
        MatMulKernel.Multiply(_parallel, _weight.Weight, _input, Tokens, _output);
        return _output[0];
    }

    /// <summary>Reads the weight's stored bytes once, split over the same threads.</summary>
    [Benchmark(Baseline = true)]
    public unsafe float StreamingReadBaseline()
    {
        var w = _weight.Weight;
        var bytes = w switch
        {
            Mxfp4LinearWeight m => m.Packed.Bytes(0, (int)m.Packed.ByteLength),
            Fp8BlockLinearWeight f => f.Weight.Bytes(0, (int)f.Weight.ByteLength),
            DenseLinearWeight d => d.Weight.Bytes(0, (int)d.Weight.ByteLength),
            _ => throw new InvalidOperationException(),
        };
        fixed (byte* p = bytes)
        {
            var job = new SumJob { Data = p, Blocks = bytes.Length / 256 };
            _parallel.For((int)Math.Min(job.Blocks, 64), long.MaxValue / 64, ref job);
            return job.Sink;
        }
    }

    private unsafe struct SumJob : IRangeJob
    {
        public byte* Data;
        public long Blocks;
        public float Sink;

        public void Execute(int start, int end)
        {
            long first = Blocks * start / 64, last = Blocks * end / 64;
            Vector256<int> a = default, b = default;
            for (long i = first; i < last; i++)
            {
                int* p = (int*)(Data + i * 256);
                a += Vector256.Load(p) + Vector256.Load(p + 8) + Vector256.Load(p + 16) + Vector256.Load(p + 24);
                b += Vector256.Load(p + 32) + Vector256.Load(p + 40) + Vector256.Load(p + 48) + Vector256.Load(p + 56);
            }
            Sink += Vector256.Sum(a + b);
        }
    }
}
