using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>How many token rows a micro-kernel call carries (a type, so each count compiles to its own loop).</summary>
internal interface ITokenCount
{
    static abstract int Count { get; }
}

internal struct OneToken : ITokenCount { public static int Count => 1; }
internal struct TwoTokens : ITokenCount { public static int Count => 2; }
internal struct ThreeTokens : ITokenCount { public static int Count => 3; }
internal struct FourTokens : ITokenCount { public static int Count => 4; }

/// <summary>
/// The register tile: 4 weight rows × up to 4 token rows. Each 32-weight chunk of a row is decoded once into
/// registers and multiplied into every token's accumulator, so the decode is shared by the tokens and the
/// activation loads by the rows. Rows past the end repeat the last valid row and are not stored.
/// </summary>
internal static unsafe class MicroKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile512<TDecoder, TTokens>(ref TDecoder decoder, int firstRow, int validRows, int k, float* x, float* y, int yStride)
        where TDecoder : struct, IChunkDecoder where TTokens : struct, ITokenCount
    {
        int tokens = TTokens.Count;
        RowRef r0 = decoder.Row(firstRow), r1 = decoder.Row(firstRow + Math.Min(1, validRows - 1)),
            r2 = decoder.Row(firstRow + Math.Min(2, validRows - 1)), r3 = decoder.Row(firstRow + Math.Min(3, validRows - 1));
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default,
            a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        Vector512<float> x1a = default, x1b = default, x2a = default, x2b = default, x3a = default, x3b = default;
        int chunks = k / 32;
        for (int c = 0; c < chunks; c++)
        {
            float* xc = x + c * 32;
            var x0a = Vector512.Load(xc);
            var x0b = Vector512.Load(xc + 16);
            if (tokens > 1) { x1a = Vector512.Load(xc + k); x1b = Vector512.Load(xc + k + 16); }
            if (tokens > 2) { x2a = Vector512.Load(xc + 2 * k); x2b = Vector512.Load(xc + 2 * k + 16); }
            if (tokens > 3) { x3a = Vector512.Load(xc + 3 * k); x3b = Vector512.Load(xc + 3 * k + 16); }

            decoder.Decode512(r0, c, out var w0, out var w1);
            a00 = Step(a00, w0, x0a, w1, x0b);
            if (tokens > 1) a01 = Step(a01, w0, x1a, w1, x1b);
            if (tokens > 2) a02 = Step(a02, w0, x2a, w1, x2b);
            if (tokens > 3) a03 = Step(a03, w0, x3a, w1, x3b);
            decoder.Decode512(r1, c, out w0, out w1);
            a10 = Step(a10, w0, x0a, w1, x0b);
            if (tokens > 1) a11 = Step(a11, w0, x1a, w1, x1b);
            if (tokens > 2) a12 = Step(a12, w0, x2a, w1, x2b);
            if (tokens > 3) a13 = Step(a13, w0, x3a, w1, x3b);
            decoder.Decode512(r2, c, out w0, out w1);
            a20 = Step(a20, w0, x0a, w1, x0b);
            if (tokens > 1) a21 = Step(a21, w0, x1a, w1, x1b);
            if (tokens > 2) a22 = Step(a22, w0, x2a, w1, x2b);
            if (tokens > 3) a23 = Step(a23, w0, x3a, w1, x3b);
            decoder.Decode512(r3, c, out w0, out w1);
            a30 = Step(a30, w0, x0a, w1, x0b);
            if (tokens > 1) a31 = Step(a31, w0, x1a, w1, x1b);
            if (tokens > 2) a32 = Step(a32, w0, x2a, w1, x2b);
            if (tokens > 3) a33 = Step(a33, w0, x3a, w1, x3b);
        }
        Store(y, yStride, 0, validRows, Vector512.Sum(a00), Vector512.Sum(a10), Vector512.Sum(a20), Vector512.Sum(a30));
        if (tokens > 1) Store(y, yStride, 1, validRows, Vector512.Sum(a01), Vector512.Sum(a11), Vector512.Sum(a21), Vector512.Sum(a31));
        if (tokens > 2) Store(y, yStride, 2, validRows, Vector512.Sum(a02), Vector512.Sum(a12), Vector512.Sum(a22), Vector512.Sum(a32));
        if (tokens > 3) Store(y, yStride, 3, validRows, Vector512.Sum(a03), Vector512.Sum(a13), Vector512.Sum(a23), Vector512.Sum(a33));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile256<TDecoder, TTokens>(ref TDecoder decoder, int firstRow, int validRows, int k, float* x, float* y, int yStride)
        where TDecoder : struct, IChunkDecoder where TTokens : struct, ITokenCount
    {
        // One row at a time: AVX2 has 16 registers, a decoded chunk takes four and the tokens' accumulators eight;
        // activations are FMA memory operands.
        for (int r = 0; r < validRows; r++)
            Row256<TDecoder, TTokens>(ref decoder, firstRow + r, k, x, y + r, yStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row256<TDecoder, TTokens>(ref TDecoder decoder, int row, int k, float* x, float* y, int yStride)
        where TDecoder : struct, IChunkDecoder where TTokens : struct, ITokenCount
    {
        int tokens = TTokens.Count;
        RowRef r = decoder.Row(row);
        // Two accumulators per token keep the FMA latency chains short. Every token sums in the same order whatever
        // the tile's token count, so a token's result does not depend on the batch it is in (batch invariance).
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
        int chunks = k / 32;
        for (int c = 0; c < chunks; c++)
        {
            float* xc = x + c * 32;
            decoder.Decode256(r, c, out var w0, out var w1, out var w2, out var w3);
            Step256(ref a0, ref b0, w0, w1, w2, w3, xc);
            if (tokens > 1) Step256(ref a1, ref b1, w0, w1, w2, w3, xc + k);
            if (tokens > 2) Step256(ref a2, ref b2, w0, w1, w2, w3, xc + 2 * k);
            if (tokens > 3) Step256(ref a3, ref b3, w0, w1, w2, w3, xc + 3 * k);
        }
        y[0] = Vector256.Sum(a0 + b0);
        if (tokens > 1) y[yStride] = Vector256.Sum(a1 + b1);
        if (tokens > 2) y[2L * yStride] = Vector256.Sum(a2 + b2);
        if (tokens > 3) y[3L * yStride] = Vector256.Sum(a3 + b3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step256(ref Vector256<float> a, ref Vector256<float> b, Vector256<float> w0, Vector256<float> w1, Vector256<float> w2, Vector256<float> w3, float* x)
    {
        a = Fma.MultiplyAdd(w0, Vector256.Load(x), a);
        b = Fma.MultiplyAdd(w1, Vector256.Load(x + 8), b);
        a = Fma.MultiplyAdd(w2, Vector256.Load(x + 16), a);
        b = Fma.MultiplyAdd(w3, Vector256.Load(x + 24), b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Step(Vector512<float> acc, Vector512<float> w0, Vector512<float> x0, Vector512<float> w1, Vector512<float> x1) =>
        Avx512F.FusedMultiplyAdd(w1, x1, Avx512F.FusedMultiplyAdd(w0, x0, acc));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, int yStride, int token, int validRows, float s0, float s1, float s2, float s3)
    {
        float* row = y + (long)token * yStride;
        row[0] = s0;
        if (validRows > 1) row[1] = s1;
        if (validRows > 2) row[2] = s2;
        if (validRows > 3) row[3] = s3;
    }
}
