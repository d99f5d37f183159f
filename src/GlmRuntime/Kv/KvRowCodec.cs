using System.Runtime.InteropServices;
using GlmRuntime.Tensors;

namespace GlmRuntime.Kv;

/// <summary>
/// Encodes cache rows into page bytes and back for one <see cref="KvCacheDType"/>: float32 as is, bfloat16
/// rounded to nearest even, or fp8 e4m3 with one float32 scale per <see cref="Fp8GroupSize"/> values
/// (amax / 448, the row's bytes first, then its scales), as FlashMLA stores the MLA latent.
/// </summary>
internal static class KvRowCodec
{
    /// <summary>Values sharing one fp8 scale.</summary>
    public const int Fp8GroupSize = 128;

    /// <summary>Bytes one row of <paramref name="width"/> values takes.</summary>
    public static int RowBytes(KvCacheDType dtype, int width) => dtype switch
    {
        KvCacheDType.Float32 => width * sizeof(float),
        KvCacheDType.BFloat16 => width * sizeof(ushort),
        KvCacheDType.Float8E4M3 => width + Fp8BlockQuantizer.TileCount(width, Fp8GroupSize) * sizeof(float),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown KV cache dtype."),
    };

    /// <summary>Writes <paramref name="row"/> into <paramref name="destination"/> (RowBytes bytes).</summary>
    public static void Encode(KvCacheDType dtype, ReadOnlySpan<float> row, Span<byte> destination)
    {
        switch (dtype)
        {
            case KvCacheDType.Float32:
                MemoryMarshal.AsBytes(row).CopyTo(destination);
                break;
            case KvCacheDType.BFloat16:
                var bits = MemoryMarshal.Cast<byte, ushort>(destination[..(row.Length * 2)]);
                for (int i = 0; i < row.Length; i++)
                    bits[i] = BFloat16Bits.FromSingle(row[i]);
                break;
            default:
                var scales = MemoryMarshal.Cast<byte, float>(destination.Slice(row.Length, Fp8BlockQuantizer.TileCount(row.Length, Fp8GroupSize) * sizeof(float)));
                Fp8BlockQuantizer.Quantize(row, 1, row.Length, Fp8GroupSize, destination[..row.Length], scales);
                break;
        }
    }

    /// <summary>Reads a row of <paramref name="destination"/>.Length values back from <paramref name="source"/>.</summary>
    public static void Decode(KvCacheDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        int width = destination.Length;
        switch (dtype)
        {
            case KvCacheDType.Float32:
                MemoryMarshal.Cast<byte, float>(source[..(width * sizeof(float))]).CopyTo(destination);
                break;
            case KvCacheDType.BFloat16:
                BFloat16Bits.ToSingle(MemoryMarshal.Cast<byte, ushort>(source[..(width * 2)]), destination);
                break;
            default:
                var scales = MemoryMarshal.Cast<byte, float>(source.Slice(width, Fp8BlockQuantizer.TileCount(width, Fp8GroupSize) * sizeof(float)));
                Fp8BlockQuantizer.DequantizeRow(source[..width], scales, Fp8GroupSize, destination);
                break;
        }
    }
}
