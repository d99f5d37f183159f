using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GlmRuntime.Tensors;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>
/// Decodes 32 consecutive weights of a row (one "chunk") straight into float registers, exactly (every stored
/// value times its scale is one float32 rounding, as <see cref="Weights.LinearWeight.DequantizeRow"/> defines).
/// The order of the 32 values within a chunk is the decoder's choice: MXFP4's comes out as 16 even then 16 odd
/// elements (AVX-512) or 8/8/8/8 (AVX2), so its activations are reordered to match
/// (<see cref="LinearKernel.PermuteForMxfp4"/>); the others keep the stored order.
/// </summary>
internal unsafe interface IChunkDecoder
{
    /// <summary>
    /// Whether a chunk comes out as even-indexed then odd-indexed elements per run of two vectors (MXFP4) rather
    /// than in stored order; such a decoder's activations are reordered with <see cref="LinearKernel.PermuteForMxfp4"/>.
    /// </summary>
    static abstract bool Interleaved { get; }

    /// <summary>The row's bytes and scales.</summary>
    RowRef Row(int row);

    void Decode512(in RowRef row, int chunk, out Vector512<float> w0, out Vector512<float> w1);

    void Decode256(in RowRef row, int chunk, out Vector256<float> w0, out Vector256<float> w1, out Vector256<float> w2, out Vector256<float> w3);
}

/// <summary>Something run with a weight's decoder while its bytes are pinned (a struct, so each decoder gets its own code).</summary>
internal interface IDecoderUser
{
    void Use<TDecoder>(TDecoder decoder) where TDecoder : struct, IChunkDecoder;
}

/// <summary>Builds the register decoder of a weight.</summary>
internal static unsafe class ChunkDecoding
{
    /// <summary>
    /// Pins <paramref name="weight"/>'s stored bytes and runs <paramref name="user"/> with its decoder; false (and
    /// nothing run) when the format has no decoder, K is not a multiple of 32, or <see cref="FastPathCheck"/> refuses.
    /// </summary>
    public static bool TryUse<TUser>(LinearWeight weight, ref TUser user) where TUser : struct, IDecoderUser
    {
        int k = weight.InFeatures;
        if (k % 32 != 0 || !FastPathCheck.Allows(weight))
            return false;
        switch (weight)
        {
            case Mxfp4LinearWeight m:
                fixed (byte* packed = m.Packed.Bytes(0, checked((int)m.Packed.ByteLength)))
                fixed (byte* scales = m.Scales.Bytes(0, checked((int)m.Scales.ByteLength)))
                    user.Use(new Mxfp4Decoder(packed, scales, k));
                return true;
            case Fp8BlockLinearWeight f:
                fixed (byte* codes = f.Weight.Bytes(0, checked((int)f.Weight.ByteLength)))
                fixed (byte* scales = f.ScaleInv.Bytes(0, checked((int)f.ScaleInv.ByteLength)))
                    user.Use(new Fp8Decoder(codes, (float*)scales, k, f.BlockN, (k + f.BlockK - 1) / f.BlockK,
                        System.Numerics.BitOperations.Log2((uint)(f.BlockK / 32))));
                return true;
            case DenseLinearWeight { Format: WeightFormat.BF16 } d:
                fixed (byte* data = d.Weight.Bytes(0, checked((int)d.Weight.ByteLength)))
                    user.Use(new Bf16Decoder(data, k));
                return true;
            default:
                return false;
        }
    }
}

/// <summary>A weight row: its stored bytes and its scales (E8M0 bytes or float tile scales).</summary>
internal readonly unsafe struct RowRef(byte* data, byte* scales)
{
    public readonly byte* Data = data;
    public readonly byte* Scales = scales;
}

/// <summary>Constant tables shared by the decoders, in native memory so the kernels index them without bounds checks.</summary>
internal static unsafe class DecodeTables
{
    /// <summary>E8M0 byte → 2^(E−127) (0x00 the denormal, 0xFF NaN), as <see cref="Mxfp4.DecodeE8M0"/>.</summary>
    public static readonly float* E8M0 = Build(1f);

    /// <summary>E8M0 / 2, for decoders that look up doubled E2M1 values (exact: 2^(E−128), the denormals included).</summary>
    public static readonly float* E8M0Half = Build(0.5f);

    private static float* Build(float factor)
    {
        var table = (float*)NativeMemory.AlignedAlloc(256 * sizeof(float), 64);
        for (int e = 0; e < 256; e++)
            table[e] = Mxfp4.DecodeE8M0((byte)e) * factor;
        return table;
    }
}

/// <summary>
/// MXFP4 (Quark layout): 16 packed bytes and one E8M0 byte per chunk. The low nibbles are the even elements, the
/// high nibbles the odd ones; each nibble indexes the 16 E2M1 values, pre-multiplied by the block scale.
/// </summary>
internal readonly unsafe struct Mxfp4Decoder(byte* packed, byte* scales, int k) : IChunkDecoder
{
    /// <summary>The weight's packed nibbles (K/2 bytes per row) and E8M0 scales (K/32 per row), for the int8 kernel.</summary>
    public readonly byte* Packed = packed, Scales = scales;
    private readonly int _rowBytes = k / 2;
    private readonly int _scalesPerRow = k / 32;

    public static bool Interleaved => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RowRef Row(int row) => new(Packed + (long)row * _rowBytes, Scales + (long)row * _scalesPerRow);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Decode512(in RowRef row, int chunk, out Vector512<float> w0, out Vector512<float> w1)
    {
        var codes = Avx512F.ConvertToVector512Int32(Vector128.Load(row.Data + chunk * 16));
        var lut = Vector512.Create(0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f)
            * Vector512.Create(DecodeTables.E8M0[row.Scales[chunk]]);
        w0 = Avx512F.PermuteVar16x32(lut, codes & Vector512.Create(0xF));
        w1 = Avx512F.PermuteVar16x32(lut, Avx512F.ShiftRightLogical(codes, 4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Decode256(in RowRef row, int chunk, out Vector256<float> w0, out Vector256<float> w1, out Vector256<float> w2, out Vector256<float> w3)
    {
        // The half block scale undoes the doubling (exact: both factors are powers of two or small ints).
        var scale = Vector256.Create(DecodeTables.E8M0Half[row.Scales[chunk]]);
        DecodeDoubled256(row.Data + chunk * 16, out w0, out w1, out w2, out w3);
        w0 *= scale;
        w1 *= scale;
        w2 *= scale;
        w3 *= scale;
    }

    /// <summary>
    /// One chunk's 16 packed bytes as doubled E2M1 integers (−12..12, exact) in float: evens 0–14, odds 1–15, evens
    /// 16–30, odds 17–31. One byte shuffle looks up 16 codes at once; the caller applies the (halved) block scale.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DecodeDoubled256(byte* chunkBytes, out Vector256<float> w0, out Vector256<float> w1, out Vector256<float> w2, out Vector256<float> w3)
    {
        var bytes = Vector128.Load(chunkBytes);
        var nibble = Vector128.Create((byte)0x0F);
        var lut = Vector128.Create((sbyte)0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12);
        var even = Ssse3.Shuffle(lut, (bytes & nibble).AsSByte());
        var odd = Ssse3.Shuffle(lut, (Sse2.ShiftRightLogical(bytes.AsUInt16(), 4).AsByte() & nibble).AsSByte());
        w0 = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(even));
        w1 = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(odd));
        w2 = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(even, 8)));
        w3 = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(odd, 8)));
    }
}

/// <summary>
/// FP8 e4m3fn with 2-D block scales. A code's bits moved into a float32's sign, exponent and mantissa positions are
/// the code's value × 2^−120 (subnormals included), so the tile scale is applied as scale·2^120: one rounding of
/// code × scale, as the reference. Valid while every |scale| &lt; 2^8 and no code is NaN (checked per weight).
/// </summary>
internal readonly unsafe struct Fp8Decoder(byte* codes, float* scaleInv, int k, int blockN, int tilesPerRow, int chunkShift) : IChunkDecoder
{
    /// <summary>2^120.</summary>
    private const float Rebias = 1.329228e36f;

    public static bool Interleaved => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RowRef Row(int row) => new(codes + (long)row * k, (byte*)(scaleInv + (long)(row / blockN) * tilesPerRow));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Decode512(in RowRef row, int chunk, out Vector512<float> w0, out Vector512<float> w1)
    {
        var scale = Vector512.Create(((float*)row.Scales)[chunk >> chunkShift] * Rebias);
        byte* p = row.Data + chunk * 32;
        w0 = Bits512(Avx512F.ConvertToVector512Int32(Vector128.Load(p))) * scale;
        w1 = Bits512(Avx512F.ConvertToVector512Int32(Vector128.Load(p + 16))) * scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Decode256(in RowRef row, int chunk, out Vector256<float> w0, out Vector256<float> w1, out Vector256<float> w2, out Vector256<float> w3)
    {
        var scale = Vector256.Create(((float*)row.Scales)[chunk >> chunkShift] * Rebias);
        byte* p = row.Data + chunk * 32;
        w0 = Bits256(Avx2.ConvertToVector256Int32(p)) * scale;
        w1 = Bits256(Avx2.ConvertToVector256Int32(p + 8)) * scale;
        w2 = Bits256(Avx2.ConvertToVector256Int32(p + 16)) * scale;
        w3 = Bits256(Avx2.ConvertToVector256Int32(p + 24)) * scale;
    }

    // s eeee mmm → s at bit 31, eeee mmm at bits 26..20: shift the byte to the top, sign-extend it down by 4, mask.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Bits512(Vector512<int> b) =>
        (Avx512F.ShiftRightArithmetic(Avx512F.ShiftLeftLogical(b, 24), 4) & Vector512.Create(unchecked((int)0x87F0_0000))).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Bits256(Vector256<int> b) =>
        (Avx2.ShiftRightArithmetic(Avx2.ShiftLeftLogical(b, 24), 4) & Vector256.Create(unchecked((int)0x87F0_0000))).AsSingle();
}

/// <summary>BF16: the upper half of a float32, widened with a zero low half.</summary>
internal readonly unsafe struct Bf16Decoder(byte* data, int k) : IChunkDecoder
{
    public static bool Interleaved => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RowRef Row(int row) => new(data + (long)row * k * 2, null);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Decode512(in RowRef row, int chunk, out Vector512<float> w0, out Vector512<float> w1)
    {
        var p = (ushort*)row.Data + chunk * 32;
        w0 = Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Vector256.Load(p)), 16).AsSingle();
        w1 = Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Vector256.Load(p + 16)), 16).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Decode256(in RowRef row, int chunk, out Vector256<float> w0, out Vector256<float> w1, out Vector256<float> w2, out Vector256<float> w3)
    {
        var p = (ushort*)row.Data + chunk * 32;
        w0 = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p), 16).AsSingle();
        w1 = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p + 8), 16).AsSingle();
        w2 = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p + 16), 16).AsSingle();
        w3 = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p + 24), 16).AsSingle();
    }
}
