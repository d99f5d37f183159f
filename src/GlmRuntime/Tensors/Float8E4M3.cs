namespace GlmRuntime.Tensors;

/// <summary>
/// float8 e4m3fn (OCP FP8 "E4M3", as torch.float8_e4m3fn): 1 sign, 4 exponent bits (bias 7), 3 mantissa
/// bits, subnormals m·2^−9, max ±448, no infinities, 0x7F/0xFF are NaN.
/// </summary>
public static class Float8E4M3
{
    /// <summary>Largest finite magnitude.</summary>
    public const float MaxValue = 448f;

    private static readonly float[] DecodeTable = BuildDecodeTable();

    /// <summary>The 256 decoded values, indexed by the byte.</summary>
    public static ReadOnlySpan<float> Table => DecodeTable;

    /// <summary>Decodes one byte exactly.</summary>
    public static float ToSingle(byte bits) => DecodeTable[bits];

    /// <summary>
    /// Rounds to nearest, ties to even, saturating to ±448 (the torch cast after a clamp); NaN maps to
    /// 0x7F with its sign. The sign of a value that rounds to zero is kept (0x80 for negatives).
    /// </summary>
    public static byte FromSingle(float value)
    {
        if (float.IsNaN(value))
            return (byte)(float.IsNegative(value) ? 0xFF : 0x7F);
        byte sign = (byte)(float.IsNegative(value) ? 0x80 : 0);
        float a = MathF.Abs(value);
        if (a >= MaxValue)
            return (byte)(sign | 0x7E);
        // Below 2^-6 the grid is uniform with step 2^-9: round a / 2^-9 to an integer (RNE).
        if (a < 0.015625f)
        {
            int m = (int)MathF.Round(a * 512f, MidpointRounding.ToEven);
            return (byte)(sign | m); // m == 8 lands exactly on the smallest normal (exponent 1, mantissa 0)
        }
        // Normal range: round the float32 mantissa to 3 bits, ties to even, in the bits themselves (a carry moves into
        // the exponent as it should); float32's exponent bias 127 becomes e4m3's 7.
        uint bits = BitConverter.SingleToUInt32Bits(a);
        uint rounded = bits + 0x7FFFFu + ((bits >> 20) & 1);
        int code = (int)(rounded >> 20) - (120 << 3);
        return (byte)(sign | Math.Min(code, 0x7E));
    }

    private static float[] BuildDecodeTable()
    {
        var table = new float[256];
        for (int b = 0; b < 256; b++)
        {
            int sign = b >> 7, exp = (b >> 3) & 0xF, mant = b & 7;
            float magnitude;
            if (exp == 0xF && mant == 7)
                magnitude = float.NaN;
            else if (exp == 0)
                magnitude = mant * MathF.ScaleB(1f, -9);
            else
                magnitude = (1f + mant / 8f) * MathF.ScaleB(1f, exp - 7);
            table[b] = sign == 1 ? -magnitude : magnitude;
        }
        return table;
    }
}
