using GlmRuntime.Tensors;

namespace GlmRuntime.Tests.Tensors;

/// <summary>The vectorized FP8 block quantizer against its definition, one element at a time.</summary>
public sealed class Fp8BlockQuantizerTests
{
    /// <summary>The recipe written out: per tile scale = amax/448 (1 for zeros), q = e4m3(clamp(w / scale, ±448)).</summary>
    private static (byte[] Codes, float[] Scales) Reference(float[] w, int n, int k, int block)
    {
        int tilesN = Fp8BlockQuantizer.TileCount(n, block), tilesK = Fp8BlockQuantizer.TileCount(k, block);
        var codes = new byte[n * k];
        var scales = new float[tilesN * tilesK];
        for (int tn = 0; tn < tilesN; tn++)
        for (int tk = 0; tk < tilesK; tk++)
        {
            float amax = 0f;
            for (int r = tn * block; r < Math.Min(n, (tn + 1) * block); r++)
            for (int c = tk * block; c < Math.Min(k, (tk + 1) * block); c++)
                amax = MathF.Max(amax, MathF.Abs(w[r * k + c]));
            float scale = amax == 0f ? 1f : amax / 448f;
            scales[tn * tilesK + tk] = scale;
            for (int r = tn * block; r < Math.Min(n, (tn + 1) * block); r++)
            for (int c = tk * block; c < Math.Min(k, (tk + 1) * block); c++)
                codes[r * k + c] = Float8E4M3.FromSingle(Math.Clamp(w[r * k + c] / scale, -448f, 448f));
        }
        return (codes, scales);
    }

    [TestCase(128, 256, 1)]
    [TestCase(130, 200, 2)]   // partial tiles, runs that are not a multiple of 16
    [TestCase(7, 45, 3)]
    public void Every_byte_equals_the_element_wise_recipe(int n, int k, int seed)
    {
        var random = new Random(seed);
        var w = new float[n * k];
        for (int i = 0; i < w.Length; i++)
        {
            // Mixed magnitudes (subnormal codes included), exact zeros of both signs, and grid ties.
            w[i] = (random.Next(10)) switch
            {
                0 => 0f,
                1 => -0f,
                2 => (float)(random.NextDouble() - 0.5) * 1e-4f,
                3 => Float8E4M3.ToSingle((byte)random.Next(0x7F)) * (random.Next(2) == 0 ? 1 : -1),
                _ => (float)(random.NextDouble() * 2 - 1) * MathF.Pow(10, random.Next(-3, 3)),
            };
        }
        var (expectedCodes, expectedScales) = Reference(w, n, k, 128);
        var codes = new byte[n * k];
        var scales = new float[expectedScales.Length];
        Fp8BlockQuantizer.Quantize(w, n, k, 128, codes, scales);
        Assert.That(scales, Is.EqualTo(expectedScales));
        Assert.That(codes, Is.EqualTo(expectedCodes));
    }

    [Test]
    public void A_nan_is_encoded_as_e4m3_nan_and_its_neighbours_as_usual()
    {
        var w = Enumerable.Range(0, 64).Select(i => (float)i - 20).ToArray();
        w[37] = float.NaN;
        var codes = new byte[64];
        var scales = new float[1];
        Fp8BlockQuantizer.Quantize(w, 1, 64, 128, codes, scales);
        var (expected, _) = Reference(w, 1, 64, 128);
        Assert.That(codes, Is.EqualTo(expected));
        Assert.That(codes[37] & 0x7F, Is.EqualTo(0x7F));
    }
}
