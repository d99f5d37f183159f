using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GlmRuntime.Checkpoints;

/// <summary>
/// A memory-mapped safetensors file. The header is parsed and validated on open; tensor bytes are read
/// straight from the mapping (no copy into managed memory) and stay valid until the file is disposed. With
/// <see cref="SafetensorsDataPlacement.CacheLineAligned"/>, a file whose data does not start on a cache line (the
/// reference writer pads its header to 8 bytes only) is read into cache-line-aligned native memory instead.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile? _mapping;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly SafeMemoryMappedViewHandle? _handle;
    private readonly byte* _data;
    private readonly byte* _copy;
    private int _disposed;

    private SafetensorsFile(string path, SafetensorsHeader header, long dataLength, MemoryMappedFile? mapping, MemoryMappedViewAccessor? view,
        byte* copy = null)
    {
        Path = path;
        Header = header;
        DataLength = dataLength;
        _mapping = mapping;
        _view = view;
        _copy = copy;
        if (copy is not null)
            _data = copy;
        else if (view is not null)
        {
            _handle = view.SafeMemoryMappedViewHandle;
            byte* basePointer = null;
            _handle.AcquirePointer(ref basePointer);
            _data = basePointer + view.PointerOffset + header.DataStart;
        }
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>The validated header.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>Tensors by name.</summary>
    public IReadOnlyDictionary<string, TensorInfo> Tensors => Header.Tensors;

    /// <summary>Length of the data section in bytes.</summary>
    public long DataLength { get; }

    /// <summary>Whether the tensor data was read into aligned memory rather than mapped (see <see cref="SafetensorsDataPlacement"/>).</summary>
    public bool IsCopied => _copy is not null;

    /// <summary>Opens, validates and maps (or, for misaligned data, reads) a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="placement">Where the tensor data lives: mapped (the default), or aligned for compute.</param>
    /// <exception cref="CheckpointException">The file is missing, truncated or its header is malformed.</exception>
    public static SafetensorsFile Open(string path, SafetensorsDataPlacement placement = SafetensorsDataPlacement.Mapped)
    {
        if (!Enum.IsDefined(placement))
            throw new ArgumentOutOfRangeException(nameof(placement), placement, "Unknown safetensors data placement.");
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path))
            throw new CheckpointException("file not found", path);
        SafetensorsHeader header;
        long fileLength;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
        {
            fileLength = stream.Length;
            Span<byte> prefix = stackalloc byte[8];
            int read = stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false);
            long headerLength = SafetensorsHeader.ReadHeaderLength(prefix[..read], fileLength, path);
            byte[] json = GC.AllocateUninitializedArray<byte>((int)headerLength);
            stream.ReadExactly(json);
            header = SafetensorsHeader.Parse(json, fileLength - 8 - headerLength, path);
        }

        long dataLength = fileLength - header.DataStart;
        if (dataLength == 0)
            return new SafetensorsFile(path, header, 0, null, null);
        if (placement == SafetensorsDataPlacement.CacheLineAligned && header.DataStart % CacheLine != 0)
            return new SafetensorsFile(path, header, dataLength, null, null, ReadAligned(path, header.DataStart, dataLength));
        MemoryMappedFile? mapping = null;
        try
        {
            mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
            var view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            if (view.Capacity < fileLength)
            {
                view.Dispose();
                throw new CheckpointException($"mapped {view.Capacity} bytes but the file has {fileLength}; was it truncated while opening?", path);
            }
            return new SafetensorsFile(path, header, dataLength, mapping, view);
        }
        catch (IOException e)
        {
            mapping?.Dispose();
            throw new CheckpointException($"cannot map the file: {e.Message}", path, innerException: e);
        }
        catch
        {
            mapping?.Dispose();
            throw;
        }
    }

    private const int CacheLine = 64;

    /// <summary>The data section read into 64-byte-aligned native memory (freed by <see cref="Dispose"/>).</summary>
    private static byte* ReadAligned(string path, long offset, long length)
    {
        var copy = (byte*)NativeMemory.AlignedAlloc((nuint)length, CacheLine);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            for (long done = 0; done < length;)
            {
                int chunk = (int)Math.Min(length - done, 1 << 30);
                int read = RandomAccess.Read(handle, new Span<byte>(copy + done, chunk), offset + done);
                if (read == 0)
                    throw new CheckpointException($"the file ended after {offset + done} bytes while reading its data; was it truncated while opening?", path);
                done += read;
            }
            return copy;
        }
        catch (IOException e)
        {
            NativeMemory.AlignedFree(copy);
            throw new CheckpointException($"cannot read the file: {e.Message}", path, innerException: e);
        }
        catch
        {
            NativeMemory.AlignedFree(copy);
            throw;
        }
    }

    /// <summary>Looks a tensor up; throws naming the file when it is absent.</summary>
    public TensorInfo GetInfo(string name) =>
        Tensors.TryGetValue(name, out TensorInfo? info) ? info : throw new CheckpointException("tensor not found", Path, name);

    /// <summary>The bytes of a tensor of this file, straight from the mapping.</summary>
    /// <exception cref="CheckpointException">The tensor is larger than 2 GiB (use <see cref="GetBytes(TensorInfo, long, int)"/>).</exception>
    public ReadOnlySpan<byte> GetBytes(TensorInfo tensor)
    {
        if (tensor.ByteLength > int.MaxValue)
            throw new CheckpointException($"tensor is {tensor.ByteLength} bytes; read it in slices of at most 2 GiB", Path, tensor.Name);
        return GetBytes(tensor, 0, (int)tensor.ByteLength);
    }

    /// <summary>A slice of a tensor's bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The slice is not inside the tensor.</exception>
    public ReadOnlySpan<byte> GetBytes(TensorInfo tensor, long offset, int length)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!Owns(tensor))
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to {Path}.", nameof(tensor));
        return SliceOf(tensor, offset, length);
    }

    /// <summary>True when <paramref name="tensor"/> is this file's own entry (callers that check once may then use <see cref="SliceOf"/>).</summary>
    internal bool Owns(TensorInfo tensor) => ReferenceEquals(Tensors.GetValueOrDefault(tensor.Name), tensor);

    /// <summary>
    /// <see cref="GetBytes(TensorInfo, long, int)"/> without the ownership lookup, for a tensor already known to be
    /// this file's: weight rows are read millions of times per second and the name lookup would dominate.
    /// </summary>
    internal ReadOnlySpan<byte> SliceOf(TensorInfo tensor, long offset, int length)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (offset < 0 || length < 0 || offset + length > tensor.ByteLength)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Slice [{offset}, {offset + length}) is outside tensor '{tensor.Name}' ({tensor.ByteLength} bytes).");
        return length == 0 ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>(_data + tensor.DataOffset + offset, length);
    }

    /// <summary>Unmaps the file (or frees its copy). Spans obtained earlier must no longer be used.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_copy is not null)
            NativeMemory.AlignedFree(_copy);
        _handle?.ReleasePointer();
        _view?.Dispose();
        _mapping?.Dispose();
    }
}

/// <summary>Where a <see cref="SafetensorsFile"/>'s tensor data lives.</summary>
public enum SafetensorsDataPlacement
{
    /// <summary>Always mapped, wherever the data starts: no copy, pages load lazily and stay reclaimable (tools, GPU upload).</summary>
    Mapped,

    /// <summary>
    /// Mapped when the data starts on a 64-byte boundary; otherwise read once into 64-byte-aligned native memory, so
    /// that the CPU kernels' vector loads of a weight never straddle two cache lines (worth ~15% of decode speed on
    /// the synthetic model here). What the CPU backend loads with.
    /// </summary>
    CacheLineAligned,
}
