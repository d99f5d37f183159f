using GlmRuntime.Compute.Cpu;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Compute;

/// <summary>
/// The register-decoding matmul kernels (AVX-512 and AVX2) against the portable reference (decode a row to float32,
/// then TensorPrimitives dot products) on random packed weights: GEMV, small batches, token counts that leave
/// partial 4×4 tiles, several L2 token blocks, partial row ranges, and every thread count.
/// </summary>
[TestFixture]
public sealed class LinearKernelTests
{
    private static IEnumerable<CpuIsa> FastIsas() => new[] { CpuIsa.Avx512, CpuIsa.Avx2 }.Where(CpuIsaDetection.IsSupported);

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var format in new[] { WeightFormat.Mxfp4, WeightFormat.Fp8Block, WeightFormat.BF16 })
        {
            foreach (var (n, k, tokens) in new[] { (1, 32, 1), (5, 64, 1), (7, 96, 3), (64, 256, 2), (67, 128, 5), (33, 2048, 9), (130, 1024, 70) })
                yield return new TestCaseData(format, n, k, tokens).SetName($"{format} N={n} K={k} T={tokens}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Fast_paths_equal_the_reference(WeightFormat format, int n, int k, int tokens)
    {
        using var dir = new TempDirectory();
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), format, n, k, seed: (ulong)(n * 31 + k));
        float[] x = RandomInputs(tokens * k, seed: n + k);
        float[] expected = Multiply(new CpuParallel(1, CpuIsa.Portable), random.Weight, x, tokens);
        foreach (CpuIsa isa in FastIsas())
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                float[] actual = Multiply(new CpuParallel(threads, isa), random.Weight, x, tokens);
                // Same weights and inputs; only the order of the float32 sums differs.
                Approx.AssertClose(actual, expected, 1e-5, 1e-4, $"{isa}, {threads} threads");
            }
        }
        Assert.That(expected.All(float.IsFinite), "reference output is finite");
    }

    [TestCase(WeightFormat.Mxfp4)]
    [TestCase(WeightFormat.Fp8Block)]
    [TestCase(WeightFormat.BF16)]
    public void A_tokens_result_is_bitwise_the_same_in_any_batch(WeightFormat format)
    {
        using var dir = new TempDirectory();
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), format, 9, 256, seed: 8);
        float[] x = RandomInputs(9 * 256, seed: 3);
        foreach (CpuIsa isa in FastIsas())
        {
            var parallel = new CpuParallel(2, isa);
            float[] alone = Multiply(parallel, random.Weight, x[..256], 1);
            for (int tokens = 2; tokens <= 9; tokens++)
            {
                float[] batched = Multiply(parallel, random.Weight, x[..(tokens * 256)], tokens);
                Assert.That(batched[..9], Is.EqualTo(alone), $"{isa}, first token of {tokens}");
            }
        }
    }

    [Test]
    public void A_row_range_writes_only_its_rows()
    {
        using var dir = new TempDirectory();
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), WeightFormat.Mxfp4, 40, 64, seed: 5);
        float[] x = RandomInputs(3 * 64, seed: 9);
        float[] full = Multiply(new CpuParallel(1, CpuIsa.Portable), random.Weight, x, 3);
        foreach (CpuIsa isa in FastIsas())
        {
            float[] part = new float[3 * 13];
            MatMulKernel.Multiply(new CpuParallel(2, isa), random.Weight, x, 3, part, firstRow: 11, outCount: 13);
            for (int t = 0; t < 3; t++)
                Approx.AssertClose(part.AsSpan(t * 13, 13), full.AsSpan(t * 40 + 11, 13), 1e-5, 1e-4, $"{isa} token {t}");
        }
    }

    [Test]
    public void Fp8_weights_the_decoder_cannot_reproduce_take_the_reference_path()
    {
        using var dir = new TempDirectory();
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), WeightFormat.Fp8Block, 8, 128, seed: 2);
        var fp8 = (Fp8BlockLinearWeight)random.Weight;
        Assert.That(FastPathCheck.Allows(fp8), Is.True, "ordinary FP8 weights take the fast path");

        // A NaN code: the register decode would turn it into a finite value, so the weight must be refused.
        string path = dir.File("nan.safetensors");
        var codes = fp8.Weight.Bytes(0, (int)fp8.Weight.ByteLength).ToArray();
        codes[77] = 0x7F;
        var writer = new GlmRuntime.Checkpoints.SafetensorsWriter();
        writer.Add("w.weight", GlmRuntime.Tensors.DType.F8E4M3, [8, 128], codes);
        writer.Add("w.weight_scale_inv", GlmRuntime.Tensors.DType.F32, [1, 1], fp8.ScaleInv.Bytes(0, 4).ToArray());
        writer.Write(path);
        using var file = GlmRuntime.Checkpoints.SafetensorsFile.Open(path);
        var withNaN = new Fp8BlockLinearWeight("w", 8, 128, new TensorSlice(file, file.GetInfo("w.weight")), new TensorSlice(file, file.GetInfo("w.weight_scale_inv")), 128, 128);
        Assert.That(FastPathCheck.Allows(withNaN), Is.False);
        float[] x = RandomInputs(128, seed: 4);
        float[] reference = Multiply(new CpuParallel(1, CpuIsa.Portable), withNaN, x, 1);
        foreach (CpuIsa isa in FastIsas())
            Assert.That(Multiply(new CpuParallel(2, isa), withNaN, x, 1), Is.EqualTo(reference), $"{isa} fell back to the reference");
    }

    [Test]
    public void Mxfp4_input_permutation_matches_the_decoders_register_order()
    {
        float[] source = Enumerable.Range(0, 64).Select(i => (float)i).ToArray();
        foreach (int group in new[] { 8, 16 })
        {
            float[] permuted = new float[64];
            unsafe
            {
                fixed (float* s = source)
                fixed (float* d = permuted)
                    LinearKernel.PermuteForMxfp4(s, d, 64, group);
            }
            var expected = new List<float>();
            for (int run = 0; run < 64; run += 2 * group)
            {
                expected.AddRange(Enumerable.Range(0, group).Select(j => (float)(run + 2 * j)));
                expected.AddRange(Enumerable.Range(0, group).Select(j => (float)(run + 2 * j + 1)));
            }
            Assert.That(permuted, Is.EqualTo(expected), $"group {group}");
        }
    }

    [Test]
    public void Requesting_an_unsupported_isa_is_refused()
    {
        if (CpuIsaDetection.Best == CpuIsa.Avx512)
            Assert.Pass("Every path is supported on this CPU.");
        Assert.Throws<PlatformNotSupportedException>(() => _ = new CpuParallel(1, CpuIsa.Avx512));
    }

    private static float[] Multiply(CpuParallel parallel, LinearWeight weight, float[] x, int tokens)
    {
        float[] y = new float[tokens * weight.OutFeatures];
        Array.Fill(y, float.NaN);   // poisoned: an unwritten element fails the comparison
        MatMulKernel.Multiply(parallel, weight, x, tokens, y);
        return y;
    }

    private static float[] RandomInputs(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }
}
