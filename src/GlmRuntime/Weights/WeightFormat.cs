namespace GlmRuntime.Weights;

/// <summary>How a weight matrix is stored in memory (as it was on disk: nothing is dequantized at load).</summary>
public enum WeightFormat
{
    /// <summary>bfloat16.</summary>
    BF16,
    /// <summary>IEEE half.</summary>
    F16,
    /// <summary>IEEE single.</summary>
    F32,
    /// <summary>float8 e4m3fn with one float32 scale per 128×128 tile (GLM-5-FP8).</summary>
    Fp8Block,
    /// <summary>OCP MXFP4: packed E2M1 nibbles with one E8M0 scale per 32 elements (AMD Quark export).</summary>
    Mxfp4,
}
