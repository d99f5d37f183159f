using GlmRuntime.Checkpoints;

namespace GlmRuntime.Weights;

/// <summary>A checkpoint tensor's bytes, read in place from its memory-mapped file.</summary>
internal readonly record struct TensorSlice
{
    public TensorSlice(SafetensorsFile file, TensorInfo info)
    {
        if (!file.Owns(info))
            throw new ArgumentException($"Tensor '{info.Name}' does not belong to {file.Path}.", nameof(info));
        File = file;
        Info = info;
    }

    public SafetensorsFile File { get; }

    public TensorInfo Info { get; }

    public string Name => Info.Name;

    public long ByteLength => Info.ByteLength;

    /// <summary>Bytes [offset, offset + length) of the tensor.</summary>
    public ReadOnlySpan<byte> Bytes(long offset, int length) => File.SliceOf(Info, offset, length);
}
