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
        // Two rows at a time: AVX2 has 16 registers, and each row's chunk is four of them.
        for (int pair = 0; pair < validRows; pair += 2)
            Pair256<TDecoder, TTokens>(ref decoder, firstRow + pair, Math.Min(2, validRows - pair), k, x, y + pair, yStride);
    }

    private static void Pair256<TDecoder, TTokens>(ref TDecoder decoder, int firstRow, int validRows, int k, float* x, float* y, int yStride)
        where TDecoder : struct, IChunkDecoder where TTokens : struct, ITokenCount
    {
        int tokens = TTokens.Count;
        RowRef r0 = decoder.Row(firstRow), r1 = decoder.Row(firstRow + validRows - 1);
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        int chunks = k / 32;
        for (int c = 0; c < chunks; c++)
        {
            float* xc = x + c * 32;
            decoder.Decode256(r0, c, out var w0, out var w1, out var w2, out var w3);
            decoder.Decode256(r1, c, out var v0, out var v1, out var v2, out var v3);
            for (int t = 0; t < tokens; t++)
            {
                float* xt = xc + t * k;
                var xa = Vector256.Load(xt);
                var xb = Vector256.Load(xt + 8);
                var xcc = Vector256.Load(xt + 16);
                var xd = Vector256.Load(xt + 24);
                var s0 = Fma.MultiplyAdd(w3, xd, Fma.MultiplyAdd(w2, xcc, Fma.MultiplyAdd(w1, xb, w0 * xa)));
                var s1 = Fma.MultiplyAdd(v3, xd, Fma.MultiplyAdd(v2, xcc, Fma.MultiplyAdd(v1, xb, v0 * xa)));
                switch (t)
                {
                    case 0: a00 += s0; a10 += s1; break;
                    case 1: a01 += s0; a11 += s1; break;
                    case 2: a02 += s0; a12 += s1; break;
                    default: a03 += s0; a13 += s1; break;
                }
            }
        }
        for (int t = 0; t < tokens; t++)
        {
            var (s0, s1) = t switch { 0 => (a00, a10), 1 => (a01, a11), 2 => (a02, a12), _ => (a03, a13) };
            y[(long)t * yStride] = Vector256.Sum(s0);
            if (validRows > 1)
                y[(long)t * yStride + 1] = Vector256.Sum(s1);
        }
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
