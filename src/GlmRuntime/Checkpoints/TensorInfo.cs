using GlmRuntime.Tensors;

namespace GlmRuntime.Checkpoints;

/// <summary>One tensor entry of a safetensors header, validated against its file.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DType">Storage dtype.</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="DataOffset">Byte offset of the tensor within the data section (after the header).</param>
/// <param name="ByteLength">Bytes the tensor occupies: product of the shape × element size.</param>
public sealed record TensorInfo(string Name, DType DType, long[] Shape, long DataOffset, long ByteLength)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount => ElementCountOf(Shape);

    /// <summary>Product of the dimensions (1 for a scalar); throws <see cref="OverflowException"/> past 64 bits.</summary>
    public static long ElementCountOf(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
            count = checked(count * d);
        return count;
    }

    /// <summary>The shape as "[a, b]".</summary>
    public string ShapeText => ShapeToText(Shape);

    /// <summary>Formats a shape as "[a, b]".</summary>
    public static string ShapeToText(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
