using System.Buffers;
using System.Text;

namespace GlmRuntime.Tokenization.Text;

/// <summary>
/// A growable byte buffer on pooled arrays, used to assemble decoded UTF-8 before one final
/// conversion to a string. Not thread-safe; dispose to return the array to the pool.
/// </summary>
internal sealed class ByteBuffer : IDisposable
{
    private byte[] _array;
    private int _count;

    /// <summary>Creates a buffer with at least <paramref name="capacity"/> bytes of room.</summary>
    public ByteBuffer(int capacity = 256)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 16));
    }

    /// <summary>Number of bytes written.</summary>
    public int Count => _count;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _count);

    /// <summary>Returns room for at least <paramref name="size"/> bytes after the written ones; commit with <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (_array.Length - _count < size)
            Grow(size);
        return _array.AsSpan(_count);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the span from <see cref="GetSpan"/>.</summary>
    public void Advance(int count) => _count += count;

    /// <summary>Appends one byte.</summary>
    public void Append(byte value)
    {
        GetSpan(1)[0] = value;
        _count++;
    }

    /// <summary>Appends bytes.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _count += bytes.Length;
    }

    /// <summary>Appends the UTF-8 encoding of <paramref name="text"/> (lone surrogates become U+FFFD).</summary>
    public void AppendUtf8(ReadOnlySpan<char> text)
    {
        Span<byte> span = GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _count += Encoding.UTF8.GetBytes(text, span);
    }

    /// <summary>Drops the first <paramref name="count"/> bytes, keeping the rest at the start.</summary>
    public void RemovePrefix(int count)
    {
        _array.AsSpan(count, _count - count).CopyTo(_array);
        _count -= count;
    }

    /// <summary>Forgets the written bytes, keeping the array.</summary>
    public void Clear() => _count = 0;

    /// <inheritdoc />
    public void Dispose()
    {
        byte[] array = _array;
        _array = [];
        _count = 0;
        if (array.Length > 0)
            ArrayPool<byte>.Shared.Return(array);
    }

    private void Grow(int size)
    {
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _count + size));
        _array.AsSpan(0, _count).CopyTo(bigger);
        if (_array.Length > 0)
            ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }
}
