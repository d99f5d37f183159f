using System.Runtime.InteropServices;
using GlmRuntime.Tensors;

namespace GlmRuntime.Kv;

/// <summary>
/// Encodes cache rows into page bytes and back for one <see cref="KvCacheDType"/>: float32 as is, bfloat16
/// rounded to nearest even, or fp8 e4m3 with one float32 scale per <see cref="Fp8GroupSize"/> values
/// (amax / 448): the first <c>fp8Width</c> values as e4m3 bytes, then their scales, then the rest of the row in
/// bfloat16. FlashMLA stores the MLA latent this way (c_kv in fp8, the small rotary k_rope in bf16).
/// </summary>
internal static class KvRowCodec
{
    /// <summary>Values sharing one fp8 scale.</summary>
    public const int Fp8GroupSize = 128;

    /// <summary>Bytes one row of <paramref name="width"/> values takes (fp8: the first <paramref name="fp8Width"/> in e4m3, default all).</summary>
    public static int RowBytes(KvCacheDType dtype, int width, int? fp8Width = null) => dtype switch
    {
        KvCacheDType.Float32 => width * sizeof(float),
        KvCacheDType.BFloat16 => width * sizeof(ushort),
        KvCacheDType.Float8E4M3 => Fp8Bytes(Fp8Width(width, fp8Width)) + (width - Fp8Width(width, fp8Width)) * sizeof(ushort),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown KV cache dtype."),
    };

    /// <summary>Writes <paramref name="row"/> into <paramref name="destination"/> (RowBytes bytes).</summary>
    public static void Encode(KvCacheDType dtype, ReadOnlySpan<float> row, Span<byte> destination, int? fp8Width = null)
    {
        if (dtype == KvCacheDType.Float8E4M3 && Fp8Width(row.Length, fp8Width) is var quantized && quantized < row.Length)
        {
            Encode(dtype, row[..quantized], destination);
            Encode(KvCacheDType.BFloat16, row[quantized..], destination[Fp8Bytes(quantized)..]);
            return;
        }
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
    public static void Decode(KvCacheDType dtype, ReadOnlySpan<byte> source, Span<float> destination, int? fp8Width = null)
    {
        int width = destination.Length;
        if (dtype == KvCacheDType.Float8E4M3 && Fp8Width(width, fp8Width) is var quantized && quantized < width)
        {
            Decode(dtype, source, destination[..quantized]);
            Decode(KvCacheDType.BFloat16, source[Fp8Bytes(quantized)..], destination[quantized..]);
            return;
        }
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

    private static int Fp8Width(int width, int? fp8Width) => Math.Clamp(fp8Width ?? width, 0, width);

    private static int Fp8Bytes(int values) => values + Fp8BlockQuantizer.TileCount(values, Fp8GroupSize) * sizeof(float);
}
