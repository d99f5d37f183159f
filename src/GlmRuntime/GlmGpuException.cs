namespace GlmRuntime;

/// <summary>
/// A call into the GPU library (libglmrt) failed: the message names the native function and carries the HIP/CUDA
/// runtime's own error text.
/// </summary>
public sealed class GlmGpuException : Exception
{
    /// <summary>Creates the exception for a native status code and message.</summary>
    public GlmGpuException(int status, string message) : base(message) => Status = status;

    /// <summary>The glmrt_status code (1 invalid argument, 2 no device, 3 out of memory, 4 runtime, 5 launch, 6 unsupported, 7 driver).</summary>
    public int Status { get; }
}
