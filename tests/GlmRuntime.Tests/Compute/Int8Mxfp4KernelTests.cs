using System.Runtime.Intrinsics;
using GlmRuntime.Checkpoints;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Tensors;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Compute;

/// <summary>
/// The int8-activation MXFP4 kernel (<see cref="CpuActivationPrecision.Int8"/>) against a reference written here from
/// its definition: each 32-value block of x scaled so its largest magnitude is 127, rounded half to even, multiplied
/// back, then dotted in double precision with the exactly decoded weights.
/// </summary>
[TestFixture]
public sealed class Int8Mxfp4KernelTests
{
    private static bool Supported => Int8Mxfp4Kernel.IsSupported && CpuIsaDetection.IsSupported(CpuIsa.Avx2);

    private static CpuParallel Int8(int threads) => new(threads, activations: CpuActivationPrecision.Int8);

    [TestCase(1, 64, 1)]
    [TestCase(5, 128, 1)]
    [TestCase(7, 192, 3)]      // an odd number of 64-value block pairs
    [TestCase(64, 256, 2)]
    [TestCase(33, 2048, 5)]
    [TestCase(130, 1024, 70)]   // several L2 token blocks
    public void Int8_products_equal_the_quantized_reference(int n, int k, int tokens)
    {
        RequireSupport();
        using var dir = new TempDirectory();
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), WeightFormat.Mxfp4, n, k, seed: (ulong)(n * 7 + k));
        float[] x = RandomInputs(tokens * k, seed: n + k);
        double[] expected = QuantizedReference(random.Weight, x, tokens);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            float[] actual = Multiply(Int8(threads), random.Weight, x, tokens);
            for (int i = 0; i < actual.Length; i++)
                Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-4 + 1e-5 * Math.Abs(expected[i])), $"{threads} threads, output {i}");
        }
    }

    [Test]
    public void Int8_error_against_float32_stays_within_half_a_quantization_step_per_element()
    {
        RequireSupport();
        using var dir = new TempDirectory();
        const int n = 48, k = 512, tokens = 3;
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), WeightFormat.Mxfp4, n, k, seed: 12);
        float[] x = RandomInputs(tokens * k, seed: 5);
        float[] exact = Multiply(new CpuParallel(1, CpuIsa.Portable), random.Weight, x, tokens);
        float[] int8 = Multiply(Int8(2), random.Weight, x, tokens);
        float[] w = new float[k];
        for (int row = 0; row < n; row++)
        {
            random.Weight.DequantizeRow(row, w);
            for (int t = 0; t < tokens; t++)
            {
                // |Σ w·(x − x̂)| ≤ Σ_blocks (amax / 254) · Σ|w| over the block.
                double bound = 0;
                for (int b = 0; b < k / 32; b++)
                {
                    var block = x.AsSpan(t * k + b * 32, 32);
                    double step = block.ToArray().Max(Math.Abs) / 127.0;
                    bound += step / 2 * w.AsSpan(b * 32, 32).ToArray().Sum(Math.Abs);
                }
                double error = Math.Abs(int8[t * n + row] - exact[t * n + row]);
                Assert.That(error, Is.LessThanOrEqualTo(bound * 1.0001 + 1e-4), $"row {row}, token {t}");
            }
        }
        Assert.That(int8, Is.Not.EqualTo(exact), "int8 activations differ from float32 somewhere");
    }

    [Test]
    public void A_tokens_int8_result_is_bitwise_the_same_in_any_batch()
    {
        RequireSupport();
        using var dir = new TempDirectory();
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), WeightFormat.Mxfp4, 9, 320, seed: 8);
        float[] x = RandomInputs(9 * 320, seed: 3);
        var parallel = Int8(2);
        float[] alone = Multiply(parallel, random.Weight, x[..320], 1);
        for (int tokens = 2; tokens <= 9; tokens++)
            Assert.That(Multiply(parallel, random.Weight, x[..(tokens * 320)], tokens)[..9], Is.EqualTo(alone), $"first token of {tokens}");
    }

    [Test]
    public void A_nan_activation_poisons_only_its_own_token()
    {
        RequireSupport();
        using var dir = new TempDirectory();
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), WeightFormat.Mxfp4, 6, 128, seed: 4);
        float[] x = RandomInputs(2 * 128, seed: 6);
        x[128 + 77] = float.NaN;
        float[] y = Multiply(Int8(1), random.Weight, x, 2);
        Assert.That(y[..6].All(float.IsFinite), "token 0 unaffected");
        Assert.That(y[6..].All(float.IsNaN), "token 1 is NaN, as in float32");
    }

    [Test]
    public unsafe void Quantized_activations_follow_the_scalar_definition()
    {
        RequireSupport();
        const int k = 256;
        float[] x = RandomInputs(k, seed: 21);
        // Block 1: amax 127 makes the step 1, so these are exact ties and must round half to even.
        x.AsSpan(32, 32).Clear();
        x[32] = 127f; x[33] = 2.5f; x[34] = -3.5f; x[35] = 0.5f; x[36] = -0.5f; x[37] = 1.5f; x[63] = -126.5f;
        x.AsSpan(64, 32).Clear();                                        // block 2: all zero
        x[100] = float.PositiveInfinity;                                  // block 3: not finite
        byte[] buffer = new byte[Int8Activations.BytesPerToken(k) + Int8Activations.Alignment];
        fixed (float* xp = x)
        fixed (byte* b = buffer)
        {
            byte* token = Int8Activations.Aligned(b);
            Int8Activations.Quantize(xp, 1, k, token);
            for (int block = 0; block < k / 32; block++)
            {
                var values = x.AsSpan(block * 32, 32);
                float amax = 0;
                foreach (float v in values)
                    amax = MathF.Max(amax, MathF.Abs(v));
                bool finite = float.IsFinite(amax);
                float inverse = finite && amax > 0 ? 127f / amax : 0f;
                int pair = block / 2, half = block % 2, sum = 0;
                for (int i = 0; i < 32; i++)
                {
                    int expected = finite ? (int)MathF.Round(values[i] * inverse, MidpointRounding.ToEven) : 0;
                    sum += expected;
                    sbyte actual = Int8Activations.Codes(token)[pair * 64 + half * 16 + i / 2 + (i % 2) * 32];
                    Assert.That(actual, Is.EqualTo(expected), $"block {block} element {i}");
                }
                float scale = finite ? amax / 127f : float.NaN;
                Assert.That(Int8Activations.Scales(token, k)[Int8Activations.Slot(pair, half)], Is.EqualTo(scale), $"block {block} scale");
                Assert.That(Int8Activations.Corrections(token, k)[Int8Activations.Slot(pair, half)], Is.EqualTo(-Int8Activations.WeightOffset * sum * scale),
                    $"block {block} correction");
            }
            Assert.That(Int8Activations.Codes(token)[16], Is.EqualTo(127));
            Assert.That(Int8Activations.Codes(token)[48], Is.EqualTo(2), "2.5 rounds to 2");
        }
    }

    [Test]
    public unsafe void Exponent_bit_scales_equal_the_table_over_their_whole_range()
    {
        RequireSupport();
        byte* bytes = stackalloc byte[8];
        for (int e = 2; e <= 254; e++)
        {
            for (int i = 0; i < 8; i++)
                bytes[i] = (byte)(i == e % 8 ? e : 127 + i);
            var fromBits = ExponentScales.Load(bytes, DecodeTables.E8M0Half);
            var fromTable = TableScales.Load(bytes, DecodeTables.E8M0Half);
            Assert.That(fromBits.AsInt32(), Is.EqualTo(fromTable.AsInt32()), $"E = {e}");
        }
        byte[] scales = Enumerable.Range(0, 77).Select(i => (byte)(2 + i * 37 % 253)).ToArray();
        fixed (byte* s = scales)
        {
            Assert.That(ExponentScales.Covers(s, scales.Length), Is.True, "bytes 2..254");
            foreach (byte outside in new byte[] { 0, 1, 255 })
            {
                foreach (int at in new[] { 5, 40, 76 })   // in a vector step and in the scalar tail
                {
                    byte kept = s[at];
                    s[at] = outside;
                    Assert.That(ExponentScales.Covers(s, scales.Length), Is.False, $"byte {outside} at {at}");
                    s[at] = kept;
                }
            }
        }
    }

    [Test]
    public unsafe void Scale_bytes_outside_the_exponent_range_give_the_same_products_through_the_table()
    {
        RequireSupport();
        const int n = 6, k = 320, tokens = 3;   // 5 block pairs: one whole group of four and a partial one
        var (packed, scales) = RandomPackedWeights.Mxfp4(new DeterministicRandom(17), n, k);
        byte[] odd = (byte[])scales.Clone();
        odd[2 * (k / 32) + 3] = 1;      // row 2: a subnormal block scale (2^-126)
        odd[4 * (k / 32)] = 255;        // row 4: E8M0's NaN
        float[] x = RandomInputs(tokens * k, seed: 9);
        byte[] quantized = new byte[tokens * Int8Activations.BytesPerToken(k) + Int8Activations.Alignment];
        float[] plain = new float[tokens * n], table = new float[tokens * n];
        fixed (float* xp = x)
        fixed (byte* q = quantized, p = packed, s = scales, o = odd)
        fixed (float* y0 = plain, y1 = table)
        {
            byte* tokensQ = Int8Activations.Aligned(q);
            Int8Activations.Quantize(xp, tokens, k, tokensQ);
            Int8Mxfp4Kernel.Rows(p, s, k, tokensQ, tokens, y0, n, 0, n);
            Int8Mxfp4Kernel.Rows(p, o, k, tokensQ, tokens, y1, n, 0, n);
        }
        for (int t = 0; t < tokens; t++)
        {
            foreach (int row in new[] { 0, 1, 3, 5 })
                Assert.That(table[t * n + row], Is.EqualTo(plain[t * n + row]), $"token {t}, row {row}: table and exponent paths agree bit for bit");
            Assert.That(table[t * n + 4], Is.NaN, $"token {t}: a NaN scale makes its row NaN");
            float[] w = new float[k];
            Mxfp4.DequantizeRow(packed.AsSpan(2 * k / 2, k / 2), odd.AsSpan(2 * (k / 32), k / 32), w);
            double expected = 0;
            for (int b = 0; b < k / 32; b++)
            {
                var block = x.AsSpan(t * k + b * 32, 32);
                float amax = block.ToArray().Max(MathF.Abs), scale = amax / 127f, inverse = 127f / amax;
                for (int i = 0; i < 32; i++)
                    expected += w[b * 32 + i] * (double)(MathF.Round(block[i] * inverse, MidpointRounding.ToEven) * scale);
            }
            Assert.That(table[t * n + 2], Is.EqualTo(expected).Within(1e-4 + 1e-5 * Math.Abs(expected)), $"token {t}, row 2");
        }
    }

    [Test]
    public void K_not_a_multiple_of_64_keeps_float32_activations()
    {
        RequireSupport();
        using var dir = new TempDirectory();
        using var random = RandomLinearWeight.Create(dir.File("w.safetensors"), WeightFormat.Mxfp4, 5, 96, seed: 1);
        float[] x = RandomInputs(2 * 96, seed: 2);
        Assert.That(Multiply(Int8(1), random.Weight, x, 2), Is.EqualTo(Multiply(new CpuParallel(1), random.Weight, x, 2)));
    }

    [Test]
    public void Fp8_and_bf16_weights_keep_float32_activations()
    {
        using var dir = new TempDirectory();
        foreach (var format in new[] { WeightFormat.Fp8Block, WeightFormat.BF16 })
        {
            using var random = RandomLinearWeight.Create(dir.File($"{format}.safetensors"), format, 8, 256, seed: 3);
            float[] x = RandomInputs(2 * 256, seed: 4);
            Assert.That(Multiply(Int8(1), random.Weight, x, 2), Is.EqualTo(Multiply(new CpuParallel(1), random.Weight, x, 2)), format.ToString());
        }
    }

    private static void RequireSupport()
    {
        if (!Supported)
            Assert.Ignore("The int8 MXFP4 kernel needs AVX2 and FMA.");
    }

    private static double[] QuantizedReference(LinearWeight weight, float[] x, int tokens)
    {
        int n = weight.OutFeatures, k = weight.InFeatures;
        var dequantized = new double[x.Length];
        for (int b = 0; b < x.Length / 32; b++)
        {
            var block = x.AsSpan(b * 32, 32);
            double amax = block.ToArray().Max(Math.Abs);
            float scale = (float)amax / 127f;
            float inverse = amax > 0 ? 127f / (float)amax : 0;
            for (int i = 0; i < 32; i++)
                dequantized[b * 32 + i] = Math.Round(block[i] * inverse, MidpointRounding.ToEven) * scale;
        }
        var result = new double[tokens * n];
        float[] w = new float[k];
        for (int row = 0; row < n; row++)
        {
            weight.DequantizeRow(row, w);
            for (int t = 0; t < tokens; t++)
            {
                double sum = 0;
                for (int i = 0; i < k; i++)
                    sum += w[i] * dequantized[t * k + i];
                result[t * n + row] = sum;
            }
        }
        return result;
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
