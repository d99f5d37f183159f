using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>
/// y = x·Wᵀ on packed MXFP4 weights with int8 activations (<see cref="Int8Activations"/>), AVX2. Per 64 weights
/// (two E8M0 blocks, 32 packed bytes) a row costs one load, two nibble masks and two byte shuffles that look up the
/// doubled E2M1 values plus 12 (0..24, unsigned); each token then takes two vpmaddubsw against its int8 codes, one
/// vpmaddwd, one conversion, an FMA with its block scales that also takes the +12 offset back out, and an FMA with
/// the weights' block scales. That is about a third of the float path's work per weight, which is what lets a GEMV
/// reach memory bandwidth on AVX2 cores. Rows are walked one at a time, so each thread reads one contiguous stream,
/// and every token's blocks are summed in the same order whatever the token count (batch invariance).
/// </summary>
internal static unsafe class Int8Mxfp4Kernel
{
    /// <summary>Rows per work item of <see cref="Multiply"/> (the team claims items; each row runs on its own).</summary>
    private const int RowsPerItem = 4;

    /// <summary>Bytes of quantized activations a token block keeps hot in L2 while the rows stream past.</summary>
    private const int TokenBlockBytes = 256 * 1024;

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
    /// token t's result for row firstRow + i goes to y[t·yStride + i]. Tokens are walked in L2-sized blocks.
    /// </summary>
    public static void Rows(byte* packed, byte* scales, int k, byte* quantized, int tokens, float* y, int yStride, int firstRow, int rowCount)
    {
        int tokenBytes = Int8Activations.BytesPerToken(k);
        int tokenBlock = Math.Max(2, TokenBlockBytes / tokenBytes / 2 * 2);
        // The scale table is passed down as a local: a static read inside an AggressiveOptimization method can be
        // compiled before its class is initialized, and then costs a helper call per access.
        float* half = DecodeTables.E8M0Half;
        for (int blockStart = 0; blockStart < tokens; blockStart += tokenBlock)
        {
            int blockEnd = Math.Min(tokens, blockStart + tokenBlock);
            for (int i = 0; i < rowCount; i++)
            {
                byte* data = packed + (long)(firstRow + i) * (k / 2);
                byte* rowScales = scales + (long)(firstRow + i) * (k / 32);
                for (int t = blockStart; t < blockEnd; t += 2)
                {
                    byte* x = quantized + (long)t * tokenBytes;
                    float* yt = y + (long)t * yStride + i;
                    if (blockEnd - t >= 2)
                        Row<TwoTokens>(data, rowScales, half, k, x, yt, yStride);
                    else
                        Row<OneToken>(data, rowScales, half, k, x, yt, yStride);
                }
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
    /// One weight row against one or two tokens. Two accumulators per token take alternate block pairs, so the FMA
    /// latency chain is half as long; a token's order of sums is the same whatever the token count. The weight
    /// scales of four block pairs come from one gather, and each pair takes its [A ×4, B ×4] by one permute.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TTokens>(byte* data, byte* scales, float* half, int k, byte* x0, float* y, int yStride) where TTokens : struct, ITokenCount
    {
        bool two = TTokens.Count > 1;
        sbyte* q0 = Int8Activations.Codes(x0);
        float* c0 = Int8Activations.Corrections(x0, k);
        float* f0 = Int8Activations.Scales(x0, k);
        byte* x1 = x0 + Int8Activations.BytesPerToken(k);
        sbyte* q1 = Int8Activations.Codes(x1);
        float* c1 = Int8Activations.Corrections(x1, k);
        float* f1 = Int8Activations.Scales(x1, k);
        var nibble = Vector256.Create((byte)0x0F);
        var table = Vector256.Create((byte)12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0,
            12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0);
        var ones = Vector256.Create((short)1);
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default;
        int pairs = k / Int8Activations.PairValues, p = 0;
        for (; p + 3 < pairs; p += 4)
        {
            Sse.Prefetch0(data + PrefetchBytes);
            Sse.Prefetch0(data + PrefetchBytes + 64);
            Decode(data, nibble, table, out var lo, out var hi);
            var ws = Avx.Blend(Vector256.Create(half[scales[0]]), Vector256.Create(half[scales[1]]), 0xF0);
            a0 = Dot(lo, hi, ws, ones, q0, c0, f0, a0);
            if (two) a1 = Dot(lo, hi, ws, ones, q1, c1, f1, a1);
            Decode(data + 32, nibble, table, out lo, out hi);
            ws = Avx.Blend(Vector256.Create(half[scales[2]]), Vector256.Create(half[scales[3]]), 0xF0);
            b0 = Dot(lo, hi, ws, ones, q0 + 64, c0 + 8, f0 + 8, b0);
            if (two) b1 = Dot(lo, hi, ws, ones, q1 + 64, c1 + 8, f1 + 8, b1);
            Decode(data + 64, nibble, table, out lo, out hi);
            ws = Avx.Blend(Vector256.Create(half[scales[4]]), Vector256.Create(half[scales[5]]), 0xF0);
            a0 = Dot(lo, hi, ws, ones, q0 + 128, c0 + 16, f0 + 16, a0);
            if (two) a1 = Dot(lo, hi, ws, ones, q1 + 128, c1 + 16, f1 + 16, a1);
            Decode(data + 96, nibble, table, out lo, out hi);
            ws = Avx.Blend(Vector256.Create(half[scales[6]]), Vector256.Create(half[scales[7]]), 0xF0);
            b0 = Dot(lo, hi, ws, ones, q0 + 192, c0 + 24, f0 + 24, b0);
            if (two) b1 = Dot(lo, hi, ws, ones, q1 + 192, c1 + 24, f1 + 24, b1);
            data += 128;
            scales += 8;
            q0 += 256;
            c0 += 32;
            f0 += 32;
            if (two)
            {
                q1 += 256;
                c1 += 32;
                f1 += 32;
            }
        }
        for (; p < pairs; p++)
        {
            Decode(data, nibble, table, out var lo, out var hi);
            var ws = Avx.Blend(Vector256.Create(half[scales[0]]), Vector256.Create(half[scales[1]]), 0xF0);
            if (p % 2 == 0)
            {
                a0 = Dot(lo, hi, ws, ones, q0, c0, f0, a0);
                if (two) a1 = Dot(lo, hi, ws, ones, q1, c1, f1, a1);
            }
            else
            {
                b0 = Dot(lo, hi, ws, ones, q0, c0, f0, b0);
                if (two) b1 = Dot(lo, hi, ws, ones, q1, c1, f1, b1);
            }
            data += 32;
            scales += 2;
            q0 += 64;
            c0 += 8;
            f0 += 8;
            if (two)
            {
                q1 += 64;
                c1 += 8;
                f1 += 8;
            }
        }
        y[0] = Vector256.Sum(a0 + b0);
        if (two)
            y[yStride] = Vector256.Sum(a1 + b1);
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

    /// <summary>acc + (Σ (w + 12)·q · s_x − 12·Σq · s_x) · s_w for one token's block pair, per block in lanes 0-3 and 4-7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Dot(Vector256<byte> lo, Vector256<byte> hi, Vector256<float> ws, Vector256<short> ones,
        sbyte* codes, float* correction, float* tokenScale, Vector256<float> acc)
    {
        // |products| ≤ 2·24·127 per vpmaddubsw lane and twice that summed: far inside int16. The integer sums are
        // exact and below 2^24, so their conversion is too.
        var products = Avx2.MultiplyAddAdjacent(lo, Vector256.Load(codes)) + Avx2.MultiplyAddAdjacent(hi, Vector256.Load(codes + 32));
        var sums = Avx.ConvertToVector256Single(Avx2.MultiplyAddAdjacent(products, ones));
        return Fma.MultiplyAdd(Fma.MultiplyAdd(sums, Vector256.Load(tokenScale), Vector256.Load(correction)), ws, acc);
    }
}
