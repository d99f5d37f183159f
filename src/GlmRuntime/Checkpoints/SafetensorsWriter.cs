using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GlmRuntime.Tensors;

namespace GlmRuntime.Checkpoints;

/// <summary>Writes safetensors files: tensors are added with their bytes, then written in one pass.</summary>
public sealed class SafetensorsWriter
{
    private readonly List<(string Name, DType DType, long[] Shape, byte[] Data)> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Alignment of the tensor data's start in the file (a cache line).</summary>
    public const int DataAlignment = 64;

    /// <summary>Optional <c>__metadata__</c> entries.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a tensor; <paramref name="data"/> must hold exactly the shape's bytes.</summary>
    public void Add(string name, DType dtype, long[] shape, byte[] data)
    {
        long elements = TensorInfo.ElementCountOf(shape);
        if (data.LongLength != elements * DTypes.SizeOf(dtype))
            throw new ArgumentException($"Tensor '{name}': {data.Length} bytes do not match {dtype} {TensorInfo.ShapeToText(shape)}.", nameof(data));
        if (!_names.Add(name))
            throw new ArgumentException($"Tensor '{name}' was added twice.", nameof(name));
        _tensors.Add((name, dtype, shape, data));
    }

    /// <summary>Adds a float32 tensor.</summary>
    public void AddF32(string name, long[] shape, ReadOnlySpan<float> values) =>
        Add(name, DType.F32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Adds float32 values rounded to bf16.</summary>
    public void AddBF16(string name, long[] shape, ReadOnlySpan<float> values)
    {
        var bits = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
            bits[i] = BFloat16Bits.FromSingle(values[i]);
        Add(name, DType.BF16, shape, MemoryMarshal.AsBytes(bits.AsSpan()).ToArray());
    }

    /// <summary>Adds an int32 tensor.</summary>
    public void AddI32(string name, long[] shape, ReadOnlySpan<int> values) =>
        Add(name, DType.I32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Total bytes of tensor data added so far.</summary>
    public long DataBytes => _tensors.Sum(t => (long)t.Data.Length);

    /// <summary>
    /// Writes the file. The header is padded with spaces (which the format allows) so that the tensor data starts on a
    /// 64-byte boundary: a memory-mapped weight then starts on a cache line, and the CPU kernels' 32-byte loads of
    /// it never straddle two lines (the reference writer pads to 8 bytes only).
    /// </summary>
    public void Write(string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in Metadata)
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in _tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", DTypes.SafetensorsName(t.DType));
                json.WriteStartArray("shape");
                foreach (long d in t.Shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + t.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += t.Data.Length;
            }
            json.WriteEndObject();
        }
        int padding = (int)((DataAlignment - (8 + buffer.Length) % DataAlignment) % DataAlignment);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)buffer.Length);
        file.Write(length);
        buffer.Position = 0;
        buffer.CopyTo(file);
        foreach (var t in _tensors)
            file.Write(t.Data);
    }
}
