using GlmRuntime.Tensors;

namespace GlmRuntime.Tests.Tensors;

/// <summary>MXFP4.md §1.2, §1.3 and §5 vectors.</summary>
public class Mxfp4Tests
{
    [Test]
    public void E2M1TableMatchesTheSpec()
    {
        float[] expected = [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f];
        for (int code = 0; code < 16; code++)
        {
            Assert.That(BitConverter.SingleToInt32Bits(Mxfp4.DecodeE2M1(code)), Is.EqualTo(BitConverter.SingleToInt32Bits(expected[code])), $"code {code:X}");
        }
    }

    [Test]
    public void E2M1BitFieldDecoderAgreesWithTable()
    {
        for (int c = 0; c < 16; c++)
        {
            int s = c >> 3, e = (c >> 1) & 3, m = c & 1;
            float magnitude = e == 0 ? m / 2f : (1 + m / 2f) * MathF.Pow(2, e - 1);
            float value = s == 1 ? -magnitude : magnitude;
            Assert.That(BitConverter.SingleToInt32Bits(Mxfp4.DecodeE2M1(c)), Is.EqualTo(BitConverter.SingleToInt32Bits(value)));
        }
    }

    [Test]
    public void QuarkAndHopperBitTricksReproduceEveryCode()
    {
        for (int c = 0; c < 16; c++)
        {
            float quark = BitConverter.Int32BitsToSingle(((c & 7) << 22) | ((c & 8) << 28)) * MathF.ScaleB(1f, 126);
            float hopper = BFloat16Bits.ToSingle((ushort)(((c & 8) << 12) | ((c & 7) << 6))) * MathF.ScaleB(1f, 126);
            int expected = BitConverter.SingleToInt32Bits(Mxfp4.DecodeE2M1(c));
            Assert.That(BitConverter.SingleToInt32Bits(quark), Is.EqualTo(expected), $"Quark trick, code {c:X}");
            Assert.That(BitConverter.SingleToInt32Bits(hopper), Is.EqualTo(expected), $"bf16 trick, code {c:X}");
        }
    }

    [TestCase((byte)0x00, 5.877471754111438e-39)]
    [TestCase((byte)0x01, 1.1754943508222875e-38)]
    [TestCase((byte)0x7C, 0.125)]
    [TestCase((byte)0x7E, 0.5)]
    [TestCase((byte)0x7F, 1.0)]
    [TestCase((byte)0x80, 2.0)]
    [TestCase((byte)0x81, 4.0)]
    [TestCase((byte)0x85, 64.0)]
    [TestCase((byte)0xFE, 1.7014118346046923e+38)]
    public void E8M0Decodes(byte scale, double expected) =>
        Assert.That((double)Mxfp4.DecodeE8M0(scale), Is.EqualTo(expected));

    [Test]
    public void E8M0NaNIsTheRawByte0xFF()
    {
        Assert.That(float.IsNaN(Mxfp4.DecodeE8M0(0xFF)), Is.True);
        Assert.That(float.IsNaN(Mxfp4.DecodeE8M0(134)), Is.False, "0x86 = 128.0 must not be mistaken for NaN (the vLLM bug)");
        Assert.That(Mxfp4.DecodeE8M0(134), Is.EqualTo(128f));
    }

    [TestCase((byte)0x7F, (byte)0x21, 0.5f, 1.0f)]
    [TestCase((byte)0x80, (byte)0x21, 1.0f, 2.0f)]
    [TestCase((byte)0x7E, (byte)0xF7, 3.0f, -3.0f)]
    [TestCase((byte)0x85, (byte)0x9A, -64.0f, -32.0f)]
    [TestCase((byte)0x00, (byte)0x77, 3.5264830524668625e-38f, 3.5264830524668625e-38f)]
    public void ByteAndScaleDecodeLowNibbleFirst(byte scale, byte packed, float first, float second)
    {
        var row = new float[2];
        Mxfp4.DequantizeRow([packed], [scale], row);
        Assert.That(row, Is.EqualTo(new[] { first, second }));
    }

    [Test]
    public void NaNScaleMakesTheBlockNaN()
    {
        var row = new float[2];
        Mxfp4.DequantizeRow([0x00], [0xFF], row);
        Assert.That(row.All(float.IsNaN), Is.True);
    }

    [Test]
    public void BlockV1QuarkExportWritesPositiveZero()
    {
        float[] grid = [0f, .5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -.5f, -1f, -1.5f, -2f, -3f, -4f, -6f];
        float[] block = [.. grid.Concat(grid).Select(v => v * 0.125f)];
        var packed = new byte[16];
        var scale = new byte[1];
        Mxfp4.QuantizeRowQuark(block, packed, scale);
        Assert.That(scale[0], Is.EqualTo(0x7C));
        Assert.That(Convert.ToHexString(packed), Is.EqualTo("10325476" + "90BADCFE" + "10325476" + "90BADCFE"));
    }

    [Test]
    public void BlockV2EvenModeRoundsTheScaleUp()
    {
        float[] block = [7.0f, 1.0f, -2.5f, 0.3f, .. new float[28]];
        var packed = new byte[16];
        var scale = new byte[1];
        Mxfp4.QuantizeRowQuark(block, packed, scale);
        Assert.That(scale[0], Is.EqualTo(0x80));
        Assert.That(packed[0], Is.EqualTo(0x16));
        Assert.That(packed[1], Is.EqualTo(0x0A));
        var back = new float[32];
        Mxfp4.DequantizeRow(packed, scale, back);
        Assert.That(back[..4], Is.EqualTo(new[] { 8f, 1f, -2f, 0f }));
    }

    [Test]
    public void BlockV3SaturatesAtSix()
    {
        float[] block = [6.5f, -3.25f, 0.75f, 1.75f, .. new float[28]];
        var packed = new byte[16];
        var scale = new byte[1];
        Mxfp4.QuantizeRowQuark(block, packed, scale);
        Assert.That(scale[0], Is.EqualTo(0x7F));
        Assert.That(packed[0], Is.EqualTo(0xD7));
        Assert.That(packed[1], Is.EqualTo(0x42));
    }

    [Test]
    public void BlockV4RoundsTiesToEven()
    {
        float[] block = [4f, .25f, .75f, 1.25f, 1.75f, 2.5f, 3.5f, -1.75f, .. new float[24]];
        var packed = new byte[16];
        var scale = new byte[1];
        Mxfp4.QuantizeRowQuark(block, packed, scale);
        Assert.That(scale[0], Is.EqualTo(0x7F));
        Assert.That(Convert.ToHexString(packed[..4]), Is.EqualTo("062244C6"));
    }

    [TestCase(6.0f, 0)]
    [TestCase(6.8f, 0)]
    [TestCase(6.96f, 0)]
    [TestCase(7.0f, 1)]
    [TestCase(8.0f, 1)]
    [TestCase(0.75f, -3)]
    [TestCase(3.0f, -1)]
    [TestCase(12.0f, 1)]
    public void EvenSharedExponentTable(float amax, int expected) =>
        Assert.That(Mxfp4.EvenSharedExponent(amax), Is.EqualTo(expected));

    [Test]
    public void SharedExponentClampsOutOfRange()
    {
        Assert.That(Mxfp4.EvenSharedExponent(MathF.ScaleB(1f, 127) * 1.5f), Is.EqualTo(125), "1.5 stays in its binade");
        Assert.That(Mxfp4.EvenSharedExponent(MathF.ScaleB(1f, 127) * 1.75f), Is.EqualTo(126), "1.75 rounds up to 2^128");
        Assert.That(Mxfp4.EvenSharedExponent(MathF.ScaleB(1f, -140)), Is.EqualTo(-127), "floor(log2) − 2 = −142 clamps to −127");
        Assert.That(Mxfp4.EvenSharedExponent(0f), Is.EqualTo(-127));
    }

    [Test]
    public void AllZeroBlockGetsScale0x01AndZeroCodes()
    {
        var packed = new byte[16];
        var scale = new byte[1];
        Mxfp4.QuantizeRowQuark(new float[32], packed, scale);
        Assert.That(scale[0], Is.EqualTo(0x01));
        Assert.That(packed.All(b => b == 0), Is.True);
    }

    [Test]
    public void PartialBlockUsesCeilScales()
    {
        Assert.That(Mxfp4.ScalesPerRow(16), Is.EqualTo(1));
        Assert.That(Mxfp4.ScalesPerRow(33), Is.EqualTo(2));
        Assert.That(Mxfp4.PackedRowBytes(16), Is.EqualTo(8));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(31)]
    [TestCase(33)]
    [TestCase(47)]
    [TestCase(128)]
    public void RowDecodeEqualsTheElementwiseDefinition(int k)
    {
        var random = new Random(k);
        byte[] packed = new byte[Mxfp4.PackedRowBytes(k)];
        byte[] scales = new byte[Mxfp4.ScalesPerRow(k)];
        random.NextBytes(packed);
        for (int i = 0; i < scales.Length; i++)
            scales[i] = (byte)random.Next(100, 150);
        float[] row = new float[k];
        Mxfp4.DequantizeRow(packed, scales, row);
        for (int i = 0; i < k; i++)
        {
            int code = (i & 1) == 0 ? packed[i / 2] & 0xF : packed[i / 2] >> 4;
            Assert.That(row[i], Is.EqualTo(Mxfp4.DecodeE2M1(code) * Mxfp4.DecodeE8M0(scales[i / 32])), $"element {i}");
        }
    }
}
