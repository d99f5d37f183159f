using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GlmRuntime.Tensors;

/// <summary>
/// Block-scaled FP8 as published in GLM-5-FP8 / DeepSeek-V3: e4m3fn weights with one float32
/// <c>weight_scale_inv</c> per tile of <c>blockSize × blockSize</c> (partial edge tiles allowed).
/// </summary>
public static class Fp8BlockQuantizer
{
    /// <summary>Tiles along one dimension.</summary>
    public static int TileCount(int length, int blockSize) => (length + blockSize - 1) / blockSize;

    /// <summary>
    /// Quantizes a row-major [n, k] matrix: per tile <c>scale = float32(amax / 448)</c> (1.0 for an all-zero
    /// tile) and <c>q = e4m3(clamp(float32(w / scale), −448, 448))</c>, round to nearest even, the sign of
    /// a zero kept.
    /// </summary>
    /// <param name="weights">n·k source values.</param>
    /// <param name="n">Rows (output features).</param>
    /// <param name="k">Columns (input features).</param>
    /// <param name="blockSize">Tile edge, 128 in GLM-5-FP8.</param>
    /// <param name="quantized">n·k bytes to fill.</param>
    /// <param name="scaleInv">TileCount(n)·TileCount(k) floats to fill, row-major.</param>
    public static void Quantize(ReadOnlySpan<float> weights, int n, int k, int blockSize, Span<byte> quantized, Span<float> scaleInv)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        int tilesN = TileCount(n, blockSize), tilesK = TileCount(k, blockSize);
        if (weights.Length < (long)n * k || quantized.Length < (long)n * k || scaleInv.Length < tilesN * tilesK)
            throw new ArgumentException("A span is shorter than the matrix it should hold.");
        for (int tn = 0; tn < tilesN; tn++)
        for (int tk = 0; tk < tilesK; tk++)
        {
            int r0 = tn * blockSize, r1 = Math.Min(n, r0 + blockSize);
            int c0 = tk * blockSize, c1 = Math.Min(k, c0 + blockSize);
            float amax = 0f;
            for (int r = r0; r < r1; r++) // exact maxima, so the order does not matter; a NaN propagates
                amax = MathF.Max(amax, MathF.Abs(TensorPrimitives.MaxMagnitude(weights.Slice(r * k + c0, c1 - c0))));
            float scale = amax == 0f ? 1f : amax / Float8E4M3.MaxValue;
            scaleInv[tn * tilesK + tk] = scale;
            for (int r = r0; r < r1; r++)
                QuantizeRun(weights.Slice(r * k + c0, c1 - c0), scale, quantized.Slice(r * k + c0, c1 - c0));
        }
    }

    /// <summary>
    /// <c>e4m3(clamp(w / scale, ±448))</c> for a run of one row: eight lanes at a time with the same IEEE division and
    /// the same rounding as <see cref="Float8E4M3.FromSingle"/> (bit-exact), the rest and any NaN one by one.
    /// </summary>
    private static void QuantizeRun(ReadOnlySpan<float> values, float scale, Span<byte> destination)
    {
        int i = 0;
        // A NaN weight makes the tile's scale NaN, and then every code NaN: the scalar loop says so exactly.
        if (Vector256.IsHardwareAccelerated && !float.IsNaN(scale))
        {
            var scales = Vector256.Create(scale);
            var max = Vector256.Create(Float8E4M3.MaxValue);
            var smallestNormal = Vector256.Create(0.015625f);
            ref float source = ref MemoryMarshal.GetReference(values);
            for (; i + 2 * Vector256<float>.Count <= values.Length; i += 2 * Vector256<float>.Count)
            {
                var v0 = Vector256.LoadUnsafe(ref source, (nuint)i);
                var v1 = Vector256.LoadUnsafe(ref source, (nuint)(i + Vector256<float>.Count));
                if (!Vector256.EqualsAll(v0, v0) || !Vector256.EqualsAll(v1, v1))
                    break; // NaN: the scalar loop below handles it (and everything after it)
                var c0 = Encode(Vector256.Min(Vector256.Max(v0 / scales, -max), max), smallestNormal);
                var c1 = Encode(Vector256.Min(Vector256.Max(v1 / scales, -max), max), smallestNormal);
                var shorts = Vector256.Narrow(c0, c1);
                var bytes = Vector128.Narrow(shorts.GetLower(), shorts.GetUpper()).AsByte();
                bytes.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)i);
            }
        }
        for (; i < values.Length; i++)
            destination[i] = Float8E4M3.FromSingle(Math.Clamp(values[i] / scale, -Float8E4M3.MaxValue, Float8E4M3.MaxValue));
    }

    /// <summary>
    /// <see cref="Float8E4M3.FromSingle"/> on eight finite values within ±448: below 2^−6 the count of 2^−9 steps
    /// rounded to even, above it the float32 mantissa rounded to 3 bits in the bits themselves; the sign bit on top.
    /// </summary>
    private static Vector256<int> Encode(Vector256<float> x, Vector256<float> smallestNormal)
    {
        var a = Vector256.Abs(x);
        var bits = a.AsInt32();
        var normal = Vector256.ShiftRightLogical(bits + Vector256.Create(0x7FFFF) + (Vector256.ShiftRightLogical(bits, 20) & Vector256.Create(1)), 20)
            - Vector256.Create(120 << 3);
        normal = Vector256.Min(normal, Vector256.Create(0x7E));
        var subnormal = Vector256.ConvertToInt32(Vector256.Round(a * Vector256.Create(512f)));
        var magnitude = Vector256.ConditionalSelect(Vector256.LessThan(a, smallestNormal).AsInt32(), subnormal, normal);
        var sign = Vector256.ShiftRightLogical(x.AsInt32(), 24) & Vector256.Create(0x80);
        return magnitude | sign;
    }

    /// <summary>Dequantizes one row: <c>float32(e4m3(q) · scale_inv[tile])</c>, one rounding of the product.</summary>
    /// <param name="row">The row's k e4m3 bytes.</param>
    /// <param name="scaleRow">The scale_inv row of this row's tile band (TileCount(k) floats).</param>
    /// <param name="blockSize">Tile edge.</param>
    /// <param name="destination">k floats.</param>
    public static void DequantizeRow(ReadOnlySpan<byte> row, ReadOnlySpan<float> scaleRow, int blockSize, Span<float> destination)
    {
        int k = destination.Length;
        if (row.Length < k || scaleRow.Length < TileCount(k, blockSize))
            throw new ArgumentException("Row or scale row is shorter than the destination requires.");
        var table = Float8E4M3.Table;
        for (int tile = 0, start = 0; start < k; tile++, start += blockSize)
        {
            // One float32 rounding of code × tile scale, as the golden weights are defined.
            float scale = scaleRow[tile];
            int end = Math.Min(k, start + blockSize);
            for (int c = start; c < end; c++)
                destination[c] = table[row[c]] * scale;
        }
    }
}
