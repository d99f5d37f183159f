using GlmRuntime.Checkpoints;

namespace GlmRuntime.Weights;

/// <summary>A checkpoint tensor's bytes, read in place from its memory-mapped file.</summary>
internal readonly record struct TensorSlice(SafetensorsFile File, TensorInfo Info)
{
    public string Name => Info.Name;

    public long ByteLength => Info.ByteLength;

    /// <summary>Bytes [offset, offset + length) of the tensor.</summary>
    public ReadOnlySpan<byte> Bytes(long offset, int length) => File.GetBytes(Info, offset, length);
}
