using System.Numerics.Tensors;

namespace GlmRuntime.Compute.Cpu;

/// <summary>Row-wise RMSNorm and LayerNorm in float32 (MODEL.md §3.1).</summary>
internal static class NormKernels
{
    /// <summary>y = w ⊙ x / sqrt(mean(x²) + ε) per row of width w.Length.</summary>
    public static void RmsNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float epsilon, Span<float> output)
    {
        int width = weight.Length;
        int rows = CheckRows(input, output, width);
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * width, width);
            var y = output.Slice(r * width, width);
            float meanSquare = TensorPrimitives.SumOfSquares(x) / width;
            float inverse = 1f / MathF.Sqrt(meanSquare + epsilon);
            TensorPrimitives.Multiply(x, inverse, y);
            TensorPrimitives.Multiply(y, weight, y);
        }
    }

    /// <summary>y = γ ⊙ (x − mean) / sqrt(var + ε) + β per row (biased variance, as torch's layer_norm).</summary>
    public static void LayerNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> output)
    {
        int width = gamma.Length;
        if (beta.Length != width)
            throw new ArgumentException($"LayerNorm bias has {beta.Length} values; weight has {width}.", nameof(beta));
        int rows = CheckRows(input, output, width);
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * width, width);
            var y = output.Slice(r * width, width);
            float mean = TensorPrimitives.Sum(x) / width;
            TensorPrimitives.Subtract(x, mean, y);
            float variance = TensorPrimitives.SumOfSquares(y) / width;
            TensorPrimitives.Multiply(y, 1f / MathF.Sqrt(variance + epsilon), y);
            TensorPrimitives.FusedMultiplyAdd(y, gamma, beta, y);
        }
    }

    /// <summary>Rows of <paramref name="width"/> in <paramref name="input"/>; throws when the shapes disagree.</summary>
    internal static int CheckRows(ReadOnlySpan<float> input, Span<float> output, int width)
    {
        if (width == 0 || input.Length % width != 0)
            throw new ArgumentException($"Input of {input.Length} values is not a whole number of rows of {width}.", nameof(input));
        if (output.Length < input.Length)
            throw new ArgumentException($"Output has {output.Length} values; input has {input.Length}.", nameof(output));
        return input.Length / width;
    }
}
