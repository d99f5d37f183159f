using GlmRuntime.Tensors;

namespace GlmRuntime.Weights;

/// <summary>An unquantized BF16 / F16 / F32 matrix.</summary>
internal sealed class DenseLinearWeight(string name, int outFeatures, int inFeatures, TensorSlice weight)
    : LinearWeight(name, outFeatures, inFeatures)
{
    public TensorSlice Weight { get; } = weight;

    public override WeightFormat Format => Weight.Info.DType switch
    {
        DType.BF16 => WeightFormat.BF16,
        DType.F16 => WeightFormat.F16,
        DType.F32 => WeightFormat.F32,
        var d => throw new InvalidOperationException($"'{Name}' has dtype {d}, which is not a dense float format."),
    };

    public override long StoredBytes => Weight.ByteLength;

    public override IEnumerable<string> TensorNames => [Weight.Name];

    /// <summary>The stored bytes of one row.</summary>
    public ReadOnlySpan<byte> RowBytes(int row)
    {
        int size = DTypes.SizeOf(Weight.Info.DType);
        return Weight.Bytes((long)row * InFeatures * size, InFeatures * size);
    }

    public override void DequantizeRow(int row, Span<float> destination)
    {
        CheckRow(row, destination);
        DTypes.ConvertToSingle(Weight.Info.DType, RowBytes(row), destination);
    }
}
