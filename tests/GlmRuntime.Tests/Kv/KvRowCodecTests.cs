using System.Runtime.InteropServices;
using GlmRuntime.Kv;
using GlmRuntime.Tensors;

namespace GlmRuntime.Tests.Kv;

[TestFixture]
public sealed class KvRowCodecTests
{
    private static float[] RandomRow(int width, int seed, float magnitude = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, width).Select(_ => (float)((random.NextDouble() * 2 - 1) * magnitude))];
    }

    private static float[] RoundTrip(KvCacheDType dtype, float[] row)
    {
        var bytes = new byte[KvRowCodec.RowBytes(dtype, row.Length)];
        KvRowCodec.Encode(dtype, row, bytes);
        var decoded = new float[row.Length];
        KvRowCodec.Decode(dtype, bytes, decoded);
        return decoded;
    }

    /// <summary>Half the e4m3 grid spacing around |v| (v already divided by the group's scale).</summary>
    private static double HalfFp8Step(double v)
    {
        double a = Math.Abs(v);
        double step = a < 1.0 / 64 ? Math.ScaleB(1, -9) : Math.ScaleB(1, Math.ILogB(a) - 3);
        return step / 2;
    }

    private static void AssertWithinFp8Step(float[] row, float[] decoded, string what)
    {
        for (int start = 0; start < row.Length; start += KvRowCodec.Fp8GroupSize)
        {
            var group = row.AsSpan(start, Math.Min(KvRowCodec.Fp8GroupSize, row.Length - start));
            float amax = 0;
            foreach (float v in group)
                amax = Math.Max(amax, Math.Abs(v));
            double scale = amax == 0 ? 1 : amax / Float8E4M3.MaxValue;
            for (int i = 0; i < group.Length; i++)
            {
                double bound = HalfFp8Step(group[i] / scale) * scale * (1 + 1e-5) + 1e-30;
                Assert.That(Math.Abs(decoded[start + i] - group[i]), Is.LessThanOrEqualTo(bound),
                    $"{what}: element {start + i} ({group[i]}) decoded as {decoded[start + i]}");
            }
        }
    }

    [Test]
    public void Row_bytes_follow_the_storage_and_one_scale_per_started_group()
    {
        Assert.That(KvRowCodec.RowBytes(KvCacheDType.Float32, 576), Is.EqualTo(576 * 4));
        Assert.That(KvRowCodec.RowBytes(KvCacheDType.BFloat16, 576), Is.EqualTo(576 * 2));
        Assert.That(KvRowCodec.RowBytes(KvCacheDType.Float8E4M3, 576), Is.EqualTo(576 + 5 * 4), "4.5 groups take 5 scales");
        Assert.That(KvRowCodec.RowBytes(KvCacheDType.Float8E4M3, 128), Is.EqualTo(128 + 4));
        Assert.That(KvRowCodec.RowBytes(KvCacheDType.Float8E4M3, 129), Is.EqualTo(129 + 8));
        Assert.That(KvRowCodec.RowBytes(KvCacheDType.Float8E4M3, 0), Is.EqualTo(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KvRowCodec.RowBytes((KvCacheDType)99, 4));
    }

    [Test]
    public void Float32_round_trips_exactly()
    {
        float[] row = [.. RandomRow(576, 1), float.Epsilon, -0f, 1e30f, float.MaxValue];
        Assert.That(RoundTrip(KvCacheDType.Float32, row), Is.EqualTo(row));
    }

    [Test]
    public void Bfloat16_is_exact_for_bf16_values_and_within_half_a_bf16_step_otherwise()
    {
        // Eight significant bits or fewer: 1 + 2^-7, 5/32, 2^127, 2^-126.
        float[] representable = [0f, -0f, 1f, -2.5f, 0.15625f, 65536f, -1.0078125f, MathF.ScaleB(1f, 127), MathF.ScaleB(1f, -126)];
        Assert.That(RoundTrip(KvCacheDType.BFloat16, representable), Is.EqualTo(representable));

        var row = RandomRow(576, 2, magnitude: 100f);
        var decoded = RoundTrip(KvCacheDType.BFloat16, row);
        for (int i = 0; i < row.Length; i++)
        {
            // bf16 keeps 8 significant bits: the rounding error is at most half an ulp, 2^-8 relative.
            Assert.That(Math.Abs(decoded[i] - row[i]), Is.LessThanOrEqualTo(Math.Abs(row[i]) * Math.ScaleB(1.0, -8)), $"element {i}");
            Assert.That(decoded[i], Is.EqualTo(BFloat16Bits.ToSingle(BFloat16Bits.FromSingle(row[i]))), $"element {i}: round to nearest even");
        }
    }

    [Test]
    public void Fp8_error_is_within_half_an_e4m3_step_times_the_group_scale()
    {
        foreach (int width in new[] { 1, 7, 128, 256, 576 })
        {
            var row = RandomRow(width, width, magnitude: 3f);
            AssertWithinFp8Step(row, RoundTrip(KvCacheDType.Float8E4M3, row), $"width {width}");
        }
    }

    [Test]
    public void Fp8_scales_are_per_group_so_a_small_group_beside_a_large_one_stays_accurate()
    {
        var row = new float[256];
        var random = new Random(3);
        for (int i = 0; i < 128; i++)
            row[i] = (float)(random.NextDouble() * 2 - 1) * 1000f;
        for (int i = 128; i < 256; i++)
            row[i] = (float)(random.NextDouble() * 2 - 1);
        var decoded = RoundTrip(KvCacheDType.Float8E4M3, row);
        AssertWithinFp8Step(row, decoded, "mixed magnitudes");
        // With one scale for the whole row the small group would lose most of its bits (step ≈ 1000/448/8).
        double smallError = Enumerable.Range(128, 128).Max(i => Math.Abs(decoded[i] - row[i]));
        Assert.That(smallError, Is.LessThan(1.0 / 16 + 1e-6));

        var bytes = new byte[KvRowCodec.RowBytes(KvCacheDType.Float8E4M3, 256)];
        KvRowCodec.Encode(KvCacheDType.Float8E4M3, row, bytes);
        var scales = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(256, 8));
        Assert.That(scales[0], Is.EqualTo(row[..128].Max(Math.Abs) / 448f));
        Assert.That(scales[1], Is.EqualTo(row[128..].Max(Math.Abs) / 448f));
    }

    [Test]
    public void Fp8_partial_last_group_has_its_own_scale()
    {
        // 576 = 4 full groups and a half group; the half group is much smaller than the rest.
        var row = RandomRow(576, 5, magnitude: 50f);
        for (int i = 512; i < 576; i++)
            row[i] *= 1e-3f;
        var decoded = RoundTrip(KvCacheDType.Float8E4M3, row);
        AssertWithinFp8Step(row, decoded, "width 576");
        float tailMax = row[512..].Max(Math.Abs);
        Assert.That(decoded[512..].Max(Math.Abs), Is.EqualTo(tailMax).Within(tailMax * 1e-6), "the tail's amax maps to ±448 exactly");
    }

    [Test]
    public void Fp8_all_zero_groups_decode_to_zero_beside_nonzero_ones()
    {
        var row = new float[576];
        for (int i = 128; i < 256; i++)
            row[i] = i - 200;
        var decoded = RoundTrip(KvCacheDType.Float8E4M3, row);
        Assert.That(decoded[..128], Is.All.EqualTo(0f));
        Assert.That(decoded[256..], Is.All.EqualTo(0f));
        Assert.That(decoded.All(float.IsFinite));
        AssertWithinFp8Step(row, decoded, "zero groups");
        Assert.That(RoundTrip(KvCacheDType.Float8E4M3, new float[576]), Is.All.EqualTo(0f));
    }

    [Test]
    public void Fp8_latent_rows_keep_their_rotary_tail_in_bf16()
    {
        var random = new Random(9);
        var row = Enumerable.Range(0, 576).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        int bytes = KvRowCodec.RowBytes(KvCacheDType.Float8E4M3, 576, fp8Width: 512);
        Assert.That(bytes, Is.EqualTo(512 + 4 * sizeof(float) + 64 * sizeof(ushort)), "GLM-5's c_kv in e4m3 with 4 scales, k_rope in bf16");
        var encoded = new byte[bytes];
        var decoded = new float[576];
        KvRowCodec.Encode(KvCacheDType.Float8E4M3, row, encoded, fp8Width: 512);
        KvRowCodec.Decode(KvCacheDType.Float8E4M3, encoded, decoded, fp8Width: 512);
        for (int i = 512; i < 576; i++)
            Assert.That(decoded[i], Is.EqualTo(GlmRuntime.Tensors.BFloat16Bits.ToSingle(GlmRuntime.Tensors.BFloat16Bits.FromSingle(row[i]))));
        var head = new float[512];
        var headBytes = new byte[KvRowCodec.RowBytes(KvCacheDType.Float8E4M3, 512)];
        KvRowCodec.Encode(KvCacheDType.Float8E4M3, row.AsSpan(0, 512), headBytes);
        KvRowCodec.Decode(KvCacheDType.Float8E4M3, headBytes, head);
        Assert.That(decoded.AsSpan(0, 512).ToArray(), Is.EqualTo(head), "the fp8 part is the same as a whole-row fp8 encoding of c_kv");
    }
}
