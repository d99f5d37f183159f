using GlmRuntime.Tensors;

namespace GlmRuntime.Tests.Tensors;

public class Float8E4M3Tests
{
    [TestCase((byte)0x00, 0f)]
    [TestCase((byte)0x01, 0.001953125f)]   // 2^-9, smallest subnormal
    [TestCase((byte)0x07, 0.013671875f)]   // 7 · 2^-9
    [TestCase((byte)0x08, 0.015625f)]      // 2^-6, smallest normal
    [TestCase((byte)0x38, 1f)]
    [TestCase((byte)0x3C, 1.5f)]
    [TestCase((byte)0x7E, 448f)]
    [TestCase((byte)0xFE, -448f)]
    [TestCase((byte)0xB8, -1f)]
    public void DecodesKnownBytes(byte b, float expected) => Assert.That(Float8E4M3.ToSingle(b), Is.EqualTo(expected));

    [Test]
    public void NaNCodes()
    {
        Assert.That(float.IsNaN(Float8E4M3.ToSingle(0x7F)), Is.True);
        Assert.That(float.IsNaN(Float8E4M3.ToSingle(0xFF)), Is.True);
        Assert.That(Enumerable.Range(0, 256).Count(b => float.IsNaN(Float8E4M3.ToSingle((byte)b))), Is.EqualTo(2));
    }

    [Test]
    public void NegativeZeroKeepsItsSign() =>
        Assert.That(BitConverter.SingleToInt32Bits(Float8E4M3.ToSingle(0x80)), Is.EqualTo(BitConverter.SingleToInt32Bits(-0f)));

    [Test]
    public void EveryFiniteCodeRoundTrips()
    {
        for (int b = 0; b < 256; b++)
        {
            float v = Float8E4M3.ToSingle((byte)b);
            if (float.IsNaN(v))
                continue;
            Assert.That(Float8E4M3.FromSingle(v), Is.EqualTo((byte)b), $"byte 0x{b:X2} ({v})");
        }
    }

    [Test]
    public void RoundsToNearestEvenAndSaturates()
    {
        Assert.That(Float8E4M3.FromSingle(1.0625f), Is.EqualTo(0x38), "tie between 1 and 1.125 goes to the even mantissa 1");
        Assert.That(Float8E4M3.FromSingle(1.1875f), Is.EqualTo(0x3A), "tie between 1.125 and 1.25 goes to 1.25");
        Assert.That(Float8E4M3.FromSingle(0.0009765625f), Is.EqualTo(0x00), "half the smallest subnormal rounds to even 0");
        Assert.That(Float8E4M3.FromSingle(0.0029296875f), Is.EqualTo(0x02), "1.5 · 2^-9 rounds to 2 · 2^-9");
        Assert.That(Float8E4M3.FromSingle(-0.0001f), Is.EqualTo(0x80), "a negative value rounding to zero keeps its sign");
        Assert.That(Float8E4M3.FromSingle(1000f), Is.EqualTo(0x7E));
        Assert.That(Float8E4M3.FromSingle(-1000f), Is.EqualTo(0xFE));
        Assert.That(Float8E4M3.FromSingle(0.0146484375f), Is.EqualTo(0x08), "7.5 · 2^-9 rounds up into the first normal");
    }

    [Test]
    public void Encoding_is_the_nearest_code_with_ties_to_even_for_every_float_up_to_448()
    {
        // Brute force over the decoded grid: the reference knows nothing of bit tricks.
        float[] grid = Enumerable.Range(0, 0x7F).Select(c => Float8E4M3.ToSingle((byte)c)).ToArray(); // 0 .. 448
        for (uint bits = 0; bits <= BitConverter.SingleToUInt32Bits(448f); bits += 601)
        {
            float x = BitConverter.UInt32BitsToSingle(bits);
            int hi = Array.BinarySearch(grid, x);
            if (hi < 0)
                hi = ~hi; // the first grid value above x
            int expected = grid[hi] == x || hi == 0 ? hi
                : (x - grid[hi - 1]) < (grid[hi] - x) ? hi - 1
                : (x - grid[hi - 1]) > (grid[hi] - x) ? hi
                : (hi % 2 == 0 ? hi : hi - 1);
            Assert.That(Float8E4M3.FromSingle(x), Is.EqualTo((byte)expected), $"{x:R}");
            Assert.That(Float8E4M3.FromSingle(-x), Is.EqualTo((byte)(expected | 0x80)), $"-{x:R}");
        }
        for (int c = 0; c + 1 < grid.Length; c++)
        {
            float midpoint = (grid[c] + grid[c + 1]) / 2; // exact: both are short binary fractions
            Assert.That(Float8E4M3.FromSingle(midpoint), Is.EqualTo((byte)(c % 2 == 0 ? c : c + 1)), $"tie {midpoint:R}");
            Assert.That(Float8E4M3.FromSingle(MathF.BitIncrement(midpoint)), Is.EqualTo((byte)(c + 1)), $"above {midpoint:R}");
            Assert.That(Float8E4M3.FromSingle(MathF.BitDecrement(midpoint)), Is.EqualTo((byte)c), $"below {midpoint:R}");
        }
    }
}
