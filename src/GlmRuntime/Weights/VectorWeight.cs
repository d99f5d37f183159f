namespace GlmRuntime.Weights;

/// <summary>A 1-D parameter (norm scale, bias), widened to float32 at load: it is tiny and read every step.</summary>
internal sealed record VectorWeight(string Name, float[] Values);
