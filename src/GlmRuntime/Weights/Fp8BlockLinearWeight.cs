using System.Runtime.InteropServices;
using GlmRuntime.Tensors;

namespace GlmRuntime.Weights;

/// <summary>
/// FP8 block-scaled matrix: <c>weight</c> e4m3fn [N, K] and <c>weight_scale_inv</c> F32
/// [ceil(N/BlockN), ceil(K/BlockK)]; W[n, k] = e4m3(weight[n, k]) · scale_inv[n/BlockN, k/BlockK].
/// </summary>
internal sealed class Fp8BlockLinearWeight(string name, int outFeatures, int inFeatures, TensorSlice weight, TensorSlice scaleInv, int blockN, int blockK)
    : LinearWeight(name, outFeatures, inFeatures)
{
    public TensorSlice Weight { get; } = weight;

    public TensorSlice ScaleInv { get; } = scaleInv;

    public int BlockN { get; } = blockN;

    public int BlockK { get; } = blockK;

    public override WeightFormat Format => WeightFormat.Fp8Block;

    public override long StoredBytes => Weight.ByteLength + ScaleInv.ByteLength;

    public override IEnumerable<string> TensorNames => [Weight.Name, ScaleInv.Name];

    /// <summary>The e4m3 bytes of one row.</summary>
    public ReadOnlySpan<byte> RowBytes(int row) => Weight.Bytes((long)row * InFeatures, InFeatures);

    /// <summary>The scale_inv entries of the tile band holding <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> ScaleRow(int row)
    {
        int tilesK = Fp8BlockQuantizer.TileCount(InFeatures, BlockK);
        return MemoryMarshal.Cast<byte, float>(ScaleInv.Bytes((long)(row / BlockN) * tilesK * 4, tilesK * 4));
    }

    public override void DequantizeRow(int row, Span<float> destination)
    {
        CheckRow(row, destination);
        Fp8BlockQuantizer.DequantizeRow(RowBytes(row), ScaleRow(row), BlockK, destination);
    }
}
