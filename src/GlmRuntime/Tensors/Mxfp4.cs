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
            float amax = 0f;
            for (int i = start; i < end; i++)
                amax = MathF.Max(amax, MathF.Abs(row[i]));
            int s = EvenSharedExponent(amax);
            scales[block] = (byte)(Math.Max(s, -126) + 127);
            for (int i = start; i < end; i++)
            {
                int code = RoundToE2M1(MathF.ScaleB(row[i], -s));
                packed[i >> 1] |= (byte)((i & 1) == 0 ? code : code << 4);
            }
        }
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
        int m = a switch
        {
            <= 0.25f => 0,
            < 0.75f => 1,
            <= 1.25f => 2,
            < 1.75f => 3,
            <= 2.5f => 4,
            < 3.5f => 5,
            <= 5f => 6,
            _ => 7,
        };
        if (float.IsNaN(x))
            throw new ArgumentException("Cannot quantize NaN to E2M1.", nameof(x));
        return m == 0 || !float.IsNegative(x) ? m : m | 8;
    }
}
