using GlmRuntime.Tensors;

namespace GlmRuntime.Weights;

/// <summary>
/// MXFP4 matrix in AMD Quark's export layout: <c>weight</c> U8 [N, ceil(K/2)] (element 2j in the low nibble
/// of byte j) and <c>weight_scale</c> U8 [N, ceil(K/32)] of E8M0 bytes.
/// </summary>
internal sealed class Mxfp4LinearWeight(string name, int outFeatures, int inFeatures, TensorSlice packed, TensorSlice scales)
    : LinearWeight(name, outFeatures, inFeatures)
{
    public TensorSlice Packed { get; } = packed;

    public TensorSlice Scales { get; } = scales;

    public override WeightFormat Format => WeightFormat.Mxfp4;

    public override long StoredBytes => Packed.ByteLength + Scales.ByteLength;

    public override IEnumerable<string> TensorNames => [Packed.Name, Scales.Name];

    /// <summary>The packed nibbles of one row.</summary>
    public ReadOnlySpan<byte> RowBytes(int row)
    {
        int bytes = Mxfp4.PackedRowBytes(InFeatures);
        return Packed.Bytes((long)row * bytes, bytes);
    }

    /// <summary>The E8M0 scale bytes of one row.</summary>
    public ReadOnlySpan<byte> ScaleRow(int row)
    {
        int count = Mxfp4.ScalesPerRow(InFeatures);
        return Scales.Bytes((long)row * count, count);
    }

    public override void DequantizeRow(int row, Span<float> destination)
    {
        CheckRow(row, destination);
        Mxfp4.DequantizeRow(RowBytes(row), ScaleRow(row), destination);
    }
}
