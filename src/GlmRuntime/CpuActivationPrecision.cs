namespace GlmRuntime;

/// <summary>
/// How the managed CPU backend feeds activations to matrix products against MXFP4 weights
/// (<see cref="GlmEngineOptions.CpuActivationPrecision"/>).
/// </summary>
public enum CpuActivationPrecision
{
    /// <summary>
    /// float32 activations against weights decoded exactly: results differ from a float32 reference only in the order
    /// of the sums (the golden tests' setting).
    /// </summary>
    Float32,

    /// <summary>
    /// Activations quantized per 32 values to int8 before MXFP4 products (llama.cpp's Q8_0 approach): about twice the
    /// decode speed on AVX2 machines, with each activation off by at most half its block's int8 step (relative error
    /// around 0.4%, the order of the bf16 activations the reference model runs in). FP8 and BF16 weights keep float32.
    /// </summary>
    Int8,
}
