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
            for (int r = r0; r < r1; r++)
            for (int c = c0; c < c1; c++)
                amax = MathF.Max(amax, MathF.Abs(weights[r * k + c]));
            float scale = amax == 0f ? 1f : amax / Float8E4M3.MaxValue;
            scaleInv[tn * tilesK + tk] = scale;
            for (int r = r0; r < r1; r++)
            for (int c = c0; c < c1; c++)
            {
                float v = Math.Clamp(weights[r * k + c] / scale, -Float8E4M3.MaxValue, Float8E4M3.MaxValue);
                quantized[r * k + c] = Float8E4M3.FromSingle(v);
            }
        }
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
