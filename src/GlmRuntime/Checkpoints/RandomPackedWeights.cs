using System.Runtime.InteropServices;
using GlmRuntime.Tensors;

namespace GlmRuntime.Checkpoints;

/// <summary>
/// Random weights written straight in their packed form (no float32 detour), fast enough for the
/// hundreds of megabytes a speed benchmark needs: MXFP4 codes are uniform over the 16 E2M1 values with block
/// scales chosen so that each row's values have a standard deviation near 1/√K, FP8 codes are e4m3 of a
/// uniform value with a matching tile scale, BF16 values are uniform with that deviation.
/// </summary>
internal static class RandomPackedWeights
{
    /// <summary>Quark MXFP4 tensors of an [N, K] weight: packed bytes [N, K/2] and E8M0 scales [N, K/32].</summary>
    public static (byte[] Packed, byte[] Scales) Mxfp4(DeterministicRandom random, int n, int k)
    {
        var packed = new byte[(long)n * Tensors.Mxfp4.PackedRowBytes(k)];
        var scales = new byte[(long)n * Tensors.Mxfp4.ScalesPerRow(k)];
        FillBytes(random, packed);
        // Uniform E2M1 codes have a standard deviation of ≈3.4, so a block scale of 1/(3.4·√K) gives ≈1/√K.
        int exponent = 127 + (int)MathF.Round(MathF.Log2(1f / (3.4f * MathF.Sqrt(k))));
        for (int i = 0; i < scales.Length; i++)
            scales[i] = (byte)(exponent - 1 + (int)(random.NextUInt64() % 3));
        return (packed, scales);
    }

    /// <summary>Fills e4m3 codes [N, K] and float32 tile scales (one per 128 × 128 tile, N and K rounded up).</summary>
    public static void FillFp8(DeterministicRandom random, int k, Span<byte> codes, Span<float> scaleInv)
    {
        // Codes of U(−448, 448): a standard deviation of ≈259 that the tile scale brings to ≈1/√K.
        var table = new byte[256];
        for (int i = 0; i < 256; i++)
            table[i] = Float8E4M3.FromSingle((i - 127.5f) * 3.5f);
        FillBytes(random, codes);
        for (int i = 0; i < codes.Length; i++)
            codes[i] = table[codes[i]];
        float scale = 1f / (259f * MathF.Sqrt(k));
        for (int i = 0; i < scaleInv.Length; i++)
            scaleInv[i] = scale * (0.75f + 0.5f * (float)random.NextDouble());
    }

    /// <summary>Fills BF16 values uniform with standard deviation <paramref name="std"/>.</summary>
    public static void FillBf16(DeterministicRandom random, float std, Span<byte> destination)
    {
        var bits = MemoryMarshal.Cast<byte, ushort>(destination);
        float half = std * MathF.Sqrt(3f);
        for (int i = 0; i < bits.Length; i++)
            bits[i] = BFloat16Bits.FromSingle(half * (2f * (float)random.NextDouble() - 1f));
    }

    private static void FillBytes(DeterministicRandom random, Span<byte> destination)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(destination);
        for (int i = 0; i < words.Length; i++)
            words[i] = random.NextUInt64();
        for (int i = words.Length * 8; i < destination.Length; i++)
            destination[i] = (byte)random.NextUInt64();
    }
}
