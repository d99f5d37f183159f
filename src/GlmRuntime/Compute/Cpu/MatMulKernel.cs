using System.Buffers;
using System.Numerics.Tensors;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// y = x·Wᵀ. The SIMD paths decode the packed weights in registers (<see cref="LinearKernel"/>); the portable
/// reference decodes one row at a time into a float32 scratch row, then dots it with every input row. Both are
/// exact in the weights (BF16 and MXFP4 decode exactly; FP8 keeps the float32 product of code and tile scale) and
/// differ only in the order of the float32 sums.
/// </summary>
internal static class MatMulKernel
{
    /// <summary>y [rows, N] = x [rows, K] · W[firstRow.., :]ᵀ over <paramref name="outCount"/> weight rows.</summary>
    public static void Multiply(CpuParallel parallel, LinearWeight weight, ReadOnlySpan<float> input, int rows, Span<float> output,
        int firstRow = 0, int outCount = -1)
    {
        int k = weight.InFeatures;
        if (outCount < 0)
            outCount = weight.OutFeatures - firstRow;
        if (input.Length < rows * k)
            throw new ArgumentException($"'{weight.Name}' needs input [{rows}, {k}]; got {input.Length} values.", nameof(input));
        if (output.Length < rows * outCount)
            throw new ArgumentException($"'{weight.Name}' needs output [{rows}, {outCount}]; got {output.Length} values.", nameof(output));
        if (LinearKernel.TryMultiply(parallel, parallel.Isa, weight, input, rows, output, firstRow, outCount))
            return;
        unsafe
        {
            fixed (float* x = input)
            fixed (float* y = output)
            {
                float* xp = x, yp = y;
                parallel.For(outCount, (long)k * rows, (start, end) =>
                {
                    float[] rowBuffer = ArrayPool<float>.Shared.Rent(k);
                    try
                    {
                        var w = rowBuffer.AsSpan(0, k);
                        for (int n = start; n < end; n++)
                        {
                            weight.DequantizeRow(firstRow + n, w);
                            for (int t = 0; t < rows; t++)
                                yp[(long)t * outCount + n] = TensorPrimitives.Dot(new ReadOnlySpan<float>(xp + (long)t * k, k), w);
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(rowBuffer);
                    }
                });
            }
        }
    }

    /// <summary>
    /// y [rows, K] = x [rows, count] · W[firstRow .. firstRow + count, :]: the transposed product, used to absorb
    /// W^UK into the query. Accumulates each decoded weight row into every output row.
    /// </summary>
    public static void MultiplyTransposed(LinearWeight weight, int firstRow, int count, ReadOnlySpan<float> input, int inputStride,
        int rows, Span<float> output, int outputStride, Span<float> rowBuffer)
    {
        int k = weight.InFeatures;
        for (int t = 0; t < rows; t++)
            output.Slice(t * outputStride, k).Clear();
        var w = rowBuffer[..k];
        for (int r = 0; r < count; r++)
        {
            weight.DequantizeRow(firstRow + r, w);
            for (int t = 0; t < rows; t++)
            {
                var y = output.Slice(t * outputStride, k);
                TensorPrimitives.MultiplyAdd(w, input[t * inputStride + r], y, y);
            }
        }
    }
}
