using GlmRuntime.Weights;

namespace GlmRuntime.Model.Layers;

/// <summary>y = w ⊙ x / sqrt(mean(x²) + ε) per row (MODEL.md §3.1), computed in float32.</summary>
internal sealed class RmsNorm(VectorWeight weight, double epsilon)
{
    public VectorWeight Weight { get; } = weight;

    public float Epsilon { get; } = (float)epsilon;

    /// <summary>Normalizes rows of width d; <paramref name="output"/> may alias <paramref name="input"/>.</summary>
    public void Apply(StepContext context, ReadOnlySpan<float> input, Span<float> output) =>
        context.Backend.RmsNorm(input, Weight.Values, Epsilon, output);
}
