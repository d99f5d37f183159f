using GlmRuntime.Tensors;

namespace GlmRuntime.Tests.Tensors;

public class BFloat16BitsTests
{
    [TestCase((ushort)0x3F80, 1f)]
    [TestCase((ushort)0xBF80, -1f)]
    [TestCase((ushort)0x4049, 3.140625f)]
    [TestCase((ushort)0x0001, 9.183549615799121e-41f)]
    [TestCase((ushort)0x7F80, float.PositiveInfinity)]
    public void WidensExactly(ushort bits, float expected) => Assert.That(BFloat16Bits.ToSingle(bits), Is.EqualTo(expected));

    [Test]
    public void NarrowsWithRoundToNearestEven()
    {
        Assert.That(BFloat16Bits.FromSingle(BitConverter.Int32BitsToSingle(0x3F80_8000)), Is.EqualTo(0x3F80), "tie to even (down)");
        Assert.That(BFloat16Bits.FromSingle(BitConverter.Int32BitsToSingle(0x3F81_8000)), Is.EqualTo(0x3F82), "tie to even (up)");
        Assert.That(BFloat16Bits.FromSingle(BitConverter.Int32BitsToSingle(0x3F80_8001)), Is.EqualTo(0x3F81), "above the tie");
        Assert.That(float.IsNaN(BFloat16Bits.ToSingle(BFloat16Bits.FromSingle(float.NaN))), Is.True);
    }

    [Test]
    public void EveryNonNaNPatternRoundTrips()
    {
        for (int b = 0; b < 65536; b++)
        {
            float v = BFloat16Bits.ToSingle((ushort)b);
            if (!float.IsNaN(v))
                Assert.That(BFloat16Bits.FromSingle(v), Is.EqualTo((ushort)b));
        }
    }

    [Test]
    public void HalfConversionIsExactForF16()
    {
        Half h = (Half)1.5f;
        Assert.That((float)h, Is.EqualTo(1.5f));
        Assert.That(DTypes.SizeOf(DType.F16), Is.EqualTo(2));
    }

    [TestCase(0)]
    [TestCase(7)]
    [TestCase(16)]
    [TestCase(37)]
    public void SpanWideningEqualsTheScalarOne(int length)
    {
        var random = new Random(length);
        ushort[] bits = Enumerable.Range(0, length).Select(_ => (ushort)random.Next(0, 0x7F80)).ToArray();
        float[] widened = new float[length];
        BFloat16Bits.ToSingle(bits, widened);
        Assert.That(widened, Is.EqualTo(bits.Select(BFloat16Bits.ToSingle).ToArray()));
    }
}
