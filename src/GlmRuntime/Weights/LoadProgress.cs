namespace GlmRuntime.Weights;

/// <summary>Progress of binding a checkpoint's tensors to the model.</summary>
/// <param name="TensorsDone">Tensors bound so far.</param>
/// <param name="TensorCount">Tensors in the checkpoint.</param>
/// <param name="BytesDone">Bytes of the bound tensors.</param>
/// <param name="TotalBytes">Bytes of all tensors.</param>
/// <param name="CurrentTensor">The tensor just bound.</param>
public sealed record LoadProgress(int TensorsDone, int TensorCount, long BytesDone, long TotalBytes, string? CurrentTensor)
{
    /// <summary>Fraction done, 0..1.</summary>
    public double Fraction => TotalBytes == 0 ? 1 : (double)BytesDone / TotalBytes;
}
