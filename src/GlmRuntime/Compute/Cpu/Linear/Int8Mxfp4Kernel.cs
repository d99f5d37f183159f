using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>
/// y = x·Wᵀ on packed MXFP4 weights with int8 activations (<see cref="Int8Activations"/>), AVX2. Per 64 weights
/// (two E8M0 blocks, 32 packed bytes) a row costs one load, two nibble masks and two byte shuffles that look up the
/// doubled E2M1 values plus 12 (0..24, unsigned); each token then takes two vpmaddubsw against its int8 codes. Four
/// block pairs' 16-bit partial sums are reduced in integers (exact) to the eight block sums in one register, which
/// then take one conversion, one FMA with the token's block scales that also takes the +12 offset back out, and one
/// FMA with the weights' block scales: the float work is paid per four pairs, not per pair, which is what lets one
/// core keep up with its share of memory bandwidth. Rows are walked one at a time, so each thread reads one contiguous
/// stream, and a token's blocks are summed in the same order whatever the token count (batch invariance).
/// </summary>
internal static unsafe class Int8Mxfp4Kernel
{
    /// <summary>Rows per work item of <see cref="Multiply"/> (the team claims items; each row runs on its own).</summary>
    private const int RowsPerItem = 4;

    /// <summary>Packed weight bytes of the rows that every token pair passes over before the next rows (stay in L1).</summary>
    private const int RowChunkBytes = 16 * 1024;

    /// <summary>How far ahead of the current block pair the row's bytes are prefetched.</summary>
    private const int PrefetchBytes = 2048;

    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// y [tokens, outCount] from rows [firstRow, firstRow + outCount) of the Quark-layout weight (K/2 packed bytes and
    /// K/32 E8M0 bytes per row) and tokens quantized by <see cref="Int8Activations.Quantize"/> (32-byte aligned).
    /// </summary>
    public static void Multiply(CpuParallel parallel, byte* packed, byte* scales, int k, byte* quantized, int tokens, float* y,
        int firstRow, int outCount)
    {
        var job = new RowsJob
        {
            Packed = packed,
            Scales = scales,
            X = quantized,
            Y = y,
            K = k,
            Tokens = tokens,
            FirstRow = firstRow,
            OutCount = outCount,
        };
        parallel.For((outCount + RowsPerItem - 1) / RowsPerItem, (long)RowsPerItem * k * tokens / 4, ref job);
    }

    /// <summary>
    /// On the calling thread: rows [firstRow, firstRow + rowCount) against <paramref name="tokens"/> quantized tokens;
    /// token t's result for row firstRow + i goes to y[t·yStride + i]. Rows are walked in L1-sized chunks, each against every token.
    /// </summary>
    public static void Rows(byte* packed, byte* scales, int k, byte* quantized, int tokens, float* y, int yStride, int firstRow, int rowCount)
    {
        if (ExponentScales.Covers(scales + (long)firstRow * (k / 32), rowCount * (k / 32)))
            Rows<ExponentScales>(packed, scales, k, quantized, tokens, y, yStride, firstRow, rowCount);
        else
            Rows<TableScales>(packed, scales, k, quantized, tokens, y, yStride, firstRow, rowCount);
    }

    private static void Rows<TScales>(byte* packed, byte* scales, int k, byte* quantized, int tokens, float* y, int yStride, int firstRow, int rowCount)
        where TScales : struct, IBlockScales
    {
        if (k / Int8Activations.PairValues % Int8Activations.GroupPairs == 0)
            Rows<TScales, WholeGroups>(packed, scales, k, quantized, tokens, y, yStride, firstRow, rowCount);
        else
            Rows<TScales, PartialLastGroup>(packed, scales, k, quantized, tokens, y, yStride, firstRow, rowCount);
    }

    private static void Rows<TScales, TGroups>(byte* packed, byte* scales, int k, byte* quantized, int tokens, float* y, int yStride,
        int firstRow, int rowCount) where TScales : struct, IBlockScales where TGroups : struct, IGroupShape
    {
        int tokenBytes = Int8Activations.BytesPerToken(k);
        int chunkRows = Math.Max(1, RowChunkBytes / (k / 2));
        // The scale table is passed down as a local: a static read inside an AggressiveOptimization method can be
        // compiled before its class is initialized, and then costs a helper call per access.
        float* half = DecodeTables.E8M0Half;
        for (int chunk = 0; chunk < rowCount; chunk += chunkRows)
        {
            int rows = Math.Min(chunkRows, rowCount - chunk);
            byte* data = packed + (long)(firstRow + chunk) * (k / 2);
            byte* rowScales = scales + (long)(firstRow + chunk) * (k / 32);
            // Token pairs outside, the chunk's rows inside: the rows stay in L1 between token pairs, and the row loop
            // keeps its constants in registers.
            for (int t = 0; t < tokens; t += 2)
            {
                byte* x = quantized + (long)t * tokenBytes;
                float* yt = y + (long)t * yStride + chunk;
                if (tokens - t >= 2)
                    RowRange<TwoTokens, TScales, TGroups>(data, rowScales, half, k, rows, x, yt, yStride);
                else
                    RowRange<OneToken, TScales, TGroups>(data, rowScales, half, k, rows, x, yt, yStride);
            }
        }
    }

    private struct RowsJob : IRangeJob
    {
        public byte* Packed, Scales, X;
        public float* Y;
        public int K, Tokens, FirstRow, OutCount;

        public readonly void Execute(int start, int end)
        {
            int first = start * RowsPerItem;
            Rows(Packed, Scales, K, X, Tokens, Y + first, OutCount, FirstRow + first, Math.Min(OutCount, end * RowsPerItem) - first);
        }
    }

    /// <summary>
    /// Consecutive weight rows (from <paramref name="data"/>, <paramref name="scales"/>) against one or two tokens; row
    /// i's results go to y[i] and y[yStride + i]. A row takes four block pairs (eight blocks) per step: each pair's
    /// 16-bit partial sums per token, reduced in integers to the eight block sums [A0..A3 | B0..B3], then one FMA chain
    /// per token. A last step of fewer pairs reduces zeros in the missing places (its token slots are zero). The
    /// arithmetic of a token is the same whether it runs alone or beside another.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowRange<TTokens, TScales, TGroups>(byte* data, byte* scales, float* half, int k, int rowCount, byte* x0, float* y,
        int yStride) where TTokens : struct, ITokenCount where TScales : struct, IBlockScales where TGroups : struct, IGroupShape
    {
        bool two = TTokens.Count > 1;
        byte* x1 = x0 + Int8Activations.BytesPerToken(k);
        var nibble = Vector256.Create((byte)0x0F);
        var table = Vector256.Create((byte)12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0,
            12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0);
        var ones = Vector256.Create((short)1);
        for (int row = 0; row < rowCount; row++)
        {
            var (acc0, acc1) = RowSums<TTokens, TScales, TGroups>(data + (long)row * (k / 2), scales + (long)row * (k / 32), half, k, x0, x1,
                nibble, table, ones);
            y[row] = Vector256.Sum(acc0);
            if (two)
                y[yStride + row] = Vector256.Sum(acc1);
        }
    }

    /// <summary>One row's accumulators for one or two tokens (inlined into the row loop, which holds the constants).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>) RowSums<TTokens, TScales, TGroups>(byte* data, byte* scales, float* half, int k,
        byte* x0, byte* x1, Vector256<byte> nibble, Vector256<byte> table, Vector256<short> ones)
        where TTokens : struct, ITokenCount where TScales : struct, IBlockScales where TGroups : struct, IGroupShape
    {
        bool two = TTokens.Count > 1;
        sbyte* q0 = Int8Activations.Codes(x0);
        float* s0 = Int8Activations.Scales(x0, k);
        float* c0 = Int8Activations.Corrections(x0, k);
        sbyte* q1 = Int8Activations.Codes(x1);
        float* s1 = Int8Activations.Scales(x1, k);
        float* c1 = Int8Activations.Corrections(x1, k);
        Vector256<float> acc0 = default, acc1 = default;
        int pairs = k / Int8Activations.PairValues, groups = pairs / Int8Activations.GroupPairs;
        for (int g = 0; g < groups; g++)
        {
            Sse.Prefetch0(data + PrefetchBytes);
            Sse.Prefetch0(data + PrefetchBytes + 64);
            Decode(data, nibble, table, out var lo, out var hi);
            var pa0 = Products(lo, hi, q0);
            var pa1 = two ? Products(lo, hi, q1) : default;
            Decode(data + 32, nibble, table, out lo, out hi);
            var first0 = Widen(pa0, Products(lo, hi, q0 + 64), ones);
            var first1 = two ? Widen(pa1, Products(lo, hi, q1 + 64), ones) : default;
            Decode(data + 64, nibble, table, out lo, out hi);
            pa0 = Products(lo, hi, q0 + 128);
            if (two) pa1 = Products(lo, hi, q1 + 128);
            Decode(data + 96, nibble, table, out lo, out hi);
            var ws = TScales.Load(scales, half);
            acc0 = Accumulate(first0, Widen(pa0, Products(lo, hi, q0 + 192), ones), ws, s0, c0, acc0);
            if (two) acc1 = Accumulate(first1, Widen(pa1, Products(lo, hi, q1 + 192), ones), ws, s1, c1, acc1);
            data += 128;
            scales += 8;
            q0 += 256;
            s0 += 8;
            c0 += 8;
            if (two)
            {
                q1 += 256;
                s1 += 8;
                c1 += 8;
            }
        }
        if (TGroups.Partial)
            return LastGroup<TTokens, TScales>(data, scales, half, pairs - groups * Int8Activations.GroupPairs, q0, s0, c0, q1, s1, c1, acc0, acc1,
                nibble, table, ones);
        return (acc0, acc1);
    }

    /// <summary>
    /// The 64 weights of one block pair (32 packed bytes) as unsigned bytes (doubled E2M1 + 12): lo holds the even
    /// elements of blocks A and B (one block per 128-bit lane), hi the odd ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Decode(byte* data, Vector256<byte> nibble, Vector256<byte> table, out Vector256<byte> lo, out Vector256<byte> hi)
    {
        var bytes = Vector256.Load(data);
        lo = Avx2.Shuffle(table, bytes & nibble);
        hi = Avx2.Shuffle(table, Avx2.ShiftRightLogical(bytes.AsUInt16(), 4).AsByte() & nibble);
    }

    /// <summary>
    /// The last step of a row when it has fewer than four pairs left: zeros stand in for the missing pairs' partial
    /// sums and their scale bytes read as 127 (finite), and the token slots there are zero. Out of line, so that the
    /// main loop keeps its vectors in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Vector256<float>, Vector256<float>) LastGroup<TTokens, TScales>(byte* data, byte* scales, float* half,
        int rest, sbyte* q0, float* s0, float* c0, sbyte* q1, float* s1, float* c1, Vector256<float> acc0, Vector256<float> acc1,
        Vector256<byte> nibble, Vector256<byte> table, Vector256<short> ones)
        where TTokens : struct, ITokenCount where TScales : struct, IBlockScales
    {
        bool two = TTokens.Count > 1;
        ulong padded = 0x7F7F7F7F7F7F7F7FUL;
        for (int i = 0; i < 2 * rest; i++)
            ((byte*)&padded)[i] = scales[i];
        var ws = TScales.Load((byte*)&padded, half);
        Vector256<short> p0, p1 = default, p2 = default, r0 = default, r1 = default, r2 = default;
        Decode(data, nibble, table, out var lo, out var hi);
        p0 = Products(lo, hi, q0);
        if (two) r0 = Products(lo, hi, q1);
        if (rest > 1)
        {
            Decode(data + 32, nibble, table, out lo, out hi);
            p1 = Products(lo, hi, q0 + 64);
            if (two) r1 = Products(lo, hi, q1 + 64);
        }
        if (rest > 2)
        {
            Decode(data + 64, nibble, table, out lo, out hi);
            p2 = Products(lo, hi, q0 + 128);
            if (two) r2 = Products(lo, hi, q1 + 128);
        }
        acc0 = Accumulate(Widen(p0, p1, ones), Widen(p2, default, ones), ws, s0, c0, acc0);
        if (two) acc1 = Accumulate(Widen(r0, r1, ones), Widen(r2, default, ones), ws, s1, c1, acc1);
        return (acc0, acc1);
    }

    /// <summary>One token's 16-bit partial sums of a block pair: 8 per block (A in the low lane, B in the high), each of 4 products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Products(Vector256<byte> lo, Vector256<byte> hi, sbyte* codes) =>
        // |(w + 12)·q| ≤ 24·127, so a vpmaddubsw lane (two products) and the sum of both (four) stay far inside int16.
        Avx2.MultiplyAddAdjacent(lo, Vector256.Load(codes)) + Avx2.MultiplyAddAdjacent(hi, Vector256.Load(codes + 32));

    /// <summary>Two pairs' partial sums to 32 bits: [first's A ×2, second's A ×2 | first's B ×2, second's B ×2].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Widen(Vector256<short> first, Vector256<short> second, Vector256<short> ones) =>
        // Eight products per 16-bit lane after the pairwise add: at most 8·24·127 = 24384 < 2^15.
        Half(Avx2.MultiplyAddAdjacent(first, ones), Avx2.MultiplyAddAdjacent(second, ones));

    /// <summary>Adds the interleaved halves of two 4-lane groups: [a0+a2, b0+b2, a1+a3, b1+b3] per 128-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Half(Vector256<int> a, Vector256<int> b) => Avx2.UnpackLow(a, b) + Avx2.UnpackHigh(a, b);

    /// <summary>
    /// acc + (S·s_x − 12·Σq·s_x)·s_w for the eight block sums S = [A0..A3 | B0..B3] of four pairs (integers below
    /// 2^24, so converted exactly).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Accumulate(Vector256<int> first, Vector256<int> second, Vector256<float> weightScales,
        float* tokenScales, float* corrections, Vector256<float> acc)
    {
        var sums = Avx.ConvertToVector256Single(Avx2.UnpackLow(first.AsInt64(), second.AsInt64()).AsInt32() + Avx2.UnpackHigh(first.AsInt64(), second.AsInt64()).AsInt32());
        return Fma.MultiplyAdd(Fma.MultiplyAdd(sums, Vector256.Load(tokenScales), Vector256.Load(corrections)), weightScales, acc);
    }
}

/// <summary>Whether a row's pairs end in a partial group of fewer than four (K not a multiple of 256).</summary>
internal interface IGroupShape
{
    static abstract bool Partial { get; }
}

internal struct WholeGroups : IGroupShape { public static bool Partial => false; }

internal struct PartialLastGroup : IGroupShape { public static bool Partial => true; }

/// <summary>The weight scales of four block pairs (8 E8M0 bytes, [A0, B0, A1, B1, …]) as floats in the kernel's [A0..A3 | B0..B3] order.</summary>
internal unsafe interface IBlockScales
{
    static abstract Vector256<float> Load(byte* scales, float* half);
}

/// <summary>
/// 2^(E−128) (the half of E8M0's 2^(E−127) that undoes the doubled E2M1 values) built from the exponent bits, which
/// is exact for E in [2, 254]; <see cref="Covers"/> says whether a weight's bytes all are.
/// </summary>
internal unsafe struct ExponentScales : IBlockScales
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(byte* scales, float* half)
    {
        var ordered = Ssse3.Shuffle(Vector128.CreateScalar(*(ulong*)scales).AsByte(),
            Vector128.Create((byte)0, 2, 4, 6, 1, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15));
        var bits = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(ordered), 23) - Vector256.Create(1 << 23);
        return bits.AsSingle();
    }

    /// <summary>Whether all <paramref name="count"/> bytes lie in [2, 254].</summary>
    public static bool Covers(byte* scales, int count)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var two = Vector256.Create((byte)2);
            var span = Vector256.Create((byte)252);
            var outside = Vector256<byte>.Zero;
            for (; i + 32 <= count; i += 32)
                outside |= Vector256.GreaterThan(Vector256.Load(scales + i) - two, span);
            if (outside != Vector256<byte>.Zero)
                return false;
        }
        for (; i < count; i++)
        {
            if ((uint)(scales[i] - 2) > 252)
                return false;
        }
        return true;
    }
}

/// <summary>Any E8M0 byte (0, 1 and 255 included) through the 2^(E−128) table.</summary>
internal unsafe struct TableScales : IBlockScales
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(byte* scales, float* half) =>
        Vector256.Create(half[scales[0]], half[scales[2]], half[scales[4]], half[scales[6]],
            half[scales[1]], half[scales[3]], half[scales[5]], half[scales[7]]);
}
