using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace GlmRuntime.Tensors;

/// <summary>
/// OCP MXFP4: blocks of 32 E2M1 elements along K sharing one E8M0 scale byte. Packed as in AMD Quark and
/// Hugging Face: byte j holds element 2j in its low nibble and element 2j+1 in its high nibble.
/// </summary>
public static class Mxfp4
{
    /// <summary>Elements per shared scale.</summary>
    public const int BlockSize = 32;

    /// <summary>The E8M0 byte that means NaN.</summary>
    public const byte NaNScale = 0xFF;

    private static readonly float[] E2M1Values =
    [
        0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f,
        -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f,
    ];

    /// <summary>The 16 E2M1 values indexed by code (sign bit 3, exponent bits 2..1, mantissa bit 0).</summary>
    public static ReadOnlySpan<float> E2M1Table => E2M1Values;

    /// <summary>[256 × 2]: the two E2M1 values of a packed byte (low nibble first).</summary>
    private static readonly float[] BytePairValues = Enumerable.Range(0, 512)
        .Select(i => E2M1Values[(i & 1) == 0 ? (i >> 1) & 0xF : (i >> 1) >> 4]).ToArray();

    /// <summary>Decodes one E2M1 code (low 4 bits of <paramref name="code"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DecodeE2M1(int code) => E2M1Values[code & 0xF];

    /// <summary>
    /// Decodes an E8M0 scale byte: 2^(E−127). 0x00 is the float32 denormal 2^−127; 0xFF is NaN (tested
    /// on the raw byte, never on the decoded value).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DecodeE8M0(byte scale)
    {
        if (scale == NaNScale)
            return float.NaN;
        // Exponent field = E for E ≥ 1; E = 0 is the denormal with only the top mantissa bit set.
        return scale == 0 ? BitConverter.Int32BitsToSingle(0x0040_0000) : BitConverter.Int32BitsToSingle(scale << 23);
    }

    /// <summary>Number of packed bytes for a row of <paramref name="k"/> elements.</summary>
    public static int PackedRowBytes(int k) => (k + 1) / 2;

    /// <summary>Number of scale bytes for a row of <paramref name="k"/> elements (the last block may be partial).</summary>
    public static int ScalesPerRow(int k) => (k + BlockSize - 1) / BlockSize;

    /// <summary>Dequantizes one row: <c>destination[k] = E2M1[code_k] · 2^(scale[k/32] − 127)</c>.</summary>
    /// <param name="packed">The row's packed codes, at least ceil(K/2) bytes.</param>
    /// <param name="scales">The row's scale bytes, at least ceil(K/32).</param>
    /// <param name="destination">K floats.</param>
    public static void DequantizeRow(ReadOnlySpan<byte> packed, ReadOnlySpan<byte> scales, Span<float> destination)
    {
        int k = destination.Length;
        if (packed.Length < PackedRowBytes(k))
            throw new ArgumentException($"Packed row has {packed.Length} bytes; {PackedRowBytes(k)} are needed for {k} elements.", nameof(packed));
        if (scales.Length < ScalesPerRow(k))
            throw new ArgumentException($"Scale row has {scales.Length} bytes; {ScalesPerRow(k)} are needed for {k} elements.", nameof(scales));
        // One scale per 32-element block, two elements per byte through a 256-entry pair table.
        ReadOnlySpan<float> pairs = BytePairValues;
        int full = k & ~1;
        for (int block = 0; block * BlockSize < k; block++)
        {
            float scale = DecodeE8M0(scales[block]);
            int end = Math.Min(full, (block + 1) * BlockSize);
            for (int i = block * BlockSize; i < end; i += 2)
            {
                int b = packed[i >> 1];
                destination[i] = pairs[2 * b] * scale;
                destination[i + 1] = pairs[2 * b + 1] * scale;
            }
        }
        if ((k & 1) != 0)
            destination[k - 1] = E2M1Values[packed[k >> 1] & 0xF] * DecodeE8M0(scales[(k - 1) / BlockSize]);
    }

    /// <summary>
    /// Quantizes one row as AMD Quark exports MXFP4 (scale_calculation_mode "even", round_method
    /// "half_even"): per block, <c>s = floor(log2(even_round(amax))) − 2</c> clamped to [−127, 127], stored as
    /// <c>max(s, −126) + 127</c>; elements <c>w / 2^s</c> rounded to the nearest E2M1 value with ties to the
    /// even code, saturating at ±6; a value that rounds to zero is written as +0 (code 0x0).
    /// </summary>
    /// <param name="row">K source values.</param>
    /// <param name="packed">ceil(K/2) bytes to fill.</param>
    /// <param name="scales">ceil(K/32) bytes to fill.</param>
    public static void QuantizeRowQuark(ReadOnlySpan<float> row, Span<byte> packed, Span<byte> scales)
    {
        int k = row.Length;
        if (packed.Length < PackedRowBytes(k) || scales.Length < ScalesPerRow(k))
            throw new ArgumentException("Destination spans are too short for the row.");
        packed[..PackedRowBytes(k)].Clear();
        for (int block = 0; block * BlockSize < k; block++)
        {
            int start = block * BlockSize, end = Math.Min(k, start + BlockSize);
            if (end - start == BlockSize && Vector256.IsHardwareAccelerated)
            {
                scales[block] = QuantizeBlock(row.Slice(start, BlockSize), packed.Slice(start / 2, BlockSize / 2));
                continue;
            }
            float amax = 0f;
            for (int i = start; i < end; i++)
                amax = MathF.Max(amax, MathF.Abs(row[i]));
            int s = EvenSharedExponent(amax);
            scales[block] = (byte)(Math.Max(s, -126) + 127);
            // 2^−s is exact for s in [−127, 127] (2^−127 as a subnormal), so the product is x·2^−s rounded once,
            // the same value ScaleB gives, at a fraction of its cost.
            float inverse = PowerOfTwo(-s);
            for (int i = start; i < end; i++)
            {
                int code = RoundToE2M1(row[i] * inverse);
                packed[i >> 1] |= (byte)((i & 1) == 0 ? code : code << 4);
            }
        }
    }

    /// <summary>
    /// One full block, eight lanes at a time: the same arithmetic as the scalar path (x·2^−s, the midpoint counts of
    /// <see cref="RoundToE2M1"/>, +0 for zero), so the bytes are identical. Returns the scale byte.
    /// </summary>
    [SkipLocalsInit]
    private static byte QuantizeBlock(ReadOnlySpan<float> values, Span<byte> packed)
    {
        ref float first = ref MemoryMarshal.GetReference(values);
        var v0 = Vector256.LoadUnsafe(ref first, 0);
        var v1 = Vector256.LoadUnsafe(ref first, 8);
        var v2 = Vector256.LoadUnsafe(ref first, 16);
        var v3 = Vector256.LoadUnsafe(ref first, 24);
        if (!Vector256.EqualsAll(v0, v0) || !Vector256.EqualsAll(v1, v1) || !Vector256.EqualsAll(v2, v2) || !Vector256.EqualsAll(v3, v3))
            throw new ArgumentException("Cannot quantize NaN to E2M1.", nameof(values));
        var amaxLanes = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
        var half = Vector128.Max(amaxLanes.GetLower(), amaxLanes.GetUpper());
        half = Vector128.Max(half, Vector128.Shuffle(half, Vector128.Create(2, 3, 0, 1)));
        float amax = MathF.Max(half.ToScalar(), half.GetElement(1));
        int s = EvenSharedExponent(amax);
        var inverse = Vector256.Create(PowerOfTwo(-s));
        Span<int> codes = stackalloc int[BlockSize];
        Codes(v0 * inverse).CopyTo(codes);
        Codes(v1 * inverse).CopyTo(codes[8..]);
        Codes(v2 * inverse).CopyTo(codes[16..]);
        Codes(v3 * inverse).CopyTo(codes[24..]);
        for (int j = 0; j < BlockSize / 2; j++)
            packed[j] = (byte)(codes[2 * j] | (codes[2 * j + 1] << 4));
        return (byte)(Math.Max(s, -126) + 127);
    }

    /// <summary>2^e for e in [−127, 127], exactly (2^−127 is a subnormal), built from its bits.</summary>
    private static float PowerOfTwo(int e) =>
        BitConverter.UInt32BitsToSingle(e >= -126 ? (uint)(e + 127) << 23 : 0x0040_0000u);

    /// <summary><see cref="RoundToE2M1"/> on eight lanes: comparison masks are −1, so the midpoint count is minus their sum.</summary>
    private static Vector256<int> Codes(Vector256<float> x)
    {
        var a = Vector256.Abs(x);
        var count = Vector256.GreaterThan(a, Vector256.Create(0.25f)).AsInt32() + Vector256.GreaterThanOrEqual(a, Vector256.Create(0.75f)).AsInt32()
            + Vector256.GreaterThan(a, Vector256.Create(1.25f)).AsInt32() + Vector256.GreaterThanOrEqual(a, Vector256.Create(1.75f)).AsInt32()
            + Vector256.GreaterThan(a, Vector256.Create(2.5f)).AsInt32() + Vector256.GreaterThanOrEqual(a, Vector256.Create(3.5f)).AsInt32()
            + Vector256.GreaterThan(a, Vector256.Create(5f)).AsInt32();
        var m = -count;
        // The sign bit for non-zero codes only (zero is always written +0).
        var negative = Vector256.ShiftRightLogical(x.AsInt32(), 31) & ~Vector256.Equals(m, Vector256<int>.Zero);
        return m | Vector256.ShiftLeft(negative, 3);
    }

    /// <summary>Quark's "even" shared exponent: round amax at the E2M1 mantissa position before taking floor(log2) − 2.</summary>
    internal static int EvenSharedExponent(float amax)
    {
        if (amax == 0f)
            return -127;
        uint bits = BitConverter.SingleToUInt32Bits(amax);
        // 0x200000 = half an ulp at E2M1's single mantissa bit; masking keeps sign and exponent.
        uint rounded = (bits + 0x0020_0000) & 0xFF80_0000;
        int exponent = (int)((rounded >> 23) & 0xFF);
        int floorLog2 = exponent == 0 ? -127 : exponent - 127; // a denormal amax rounds to exponent 0 or 1
        return Math.Clamp(floorLog2 - 2, -127, 127);
    }

    /// <summary>Nearest E2M1 code to <paramref name="x"/>, ties to the even code, saturating at ±6; zero is always +0.</summary>
    internal static int RoundToE2M1(float x)
    {
        float a = MathF.Abs(x);
        // Magnitude codes 0..7 = {0, .5, 1, 1.5, 2, 3, 4, 6}; midpoints 0.25 .75 1.25 1.75 2.5 3.5 5 resolve to the even code.
        // Count the midpoints below a: branch-free, because real weights make a switch mispredict on nearly every
        // value (~20 ns each). ">" at the midpoints that round down to the even code, ">=" where they round up.
        int m = (a > 0.25f ? 1 : 0) + (a >= 0.75f ? 1 : 0) + (a > 1.25f ? 1 : 0) + (a >= 1.75f ? 1 : 0)
              + (a > 2.5f ? 1 : 0) + (a >= 3.5f ? 1 : 0) + (a > 5f ? 1 : 0);
        if (float.IsNaN(x))
            throw new ArgumentException("Cannot quantize NaN to E2M1.", nameof(x));
        // The sign bit, except for zero (always +0): also branch-free, as signs are random.
        int negative = (int)(BitConverter.SingleToUInt32Bits(x) >> 31) & (int)((uint)-m >> 31);
        return m | (negative << 3);
    }
}
