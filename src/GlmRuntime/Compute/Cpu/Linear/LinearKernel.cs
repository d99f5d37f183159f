using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>
/// y = x·Wᵀ on packed MXFP4, FP8-block and BF16 weights with the weights decoded in registers (no float32 copy of
/// a row is ever stored). One code path serves GEMV, small-batch decode and prefill GEMM: weight rows are split
/// in groups of 4 across the team, tokens are walked in L2-sized blocks and within a block in tiles of 4, and
/// <see cref="MicroKernels"/> computes each 4 × 4 tile. <see cref="TryMultiply"/> declines (and the caller uses
/// the reference path) when the ISA level is <see cref="CpuIsa.Portable"/>, the format has no decoder, or K is
/// not a multiple of 32.
/// </summary>
internal static unsafe class LinearKernel
{
    private const int RowsPerTile = 4;

    /// <summary>Bytes of activations a token block keeps hot in L2 while the rows stream past.</summary>
    private const int TokenBlockBytes = 256 * 1024;

    public static bool TryMultiply(CpuParallel parallel, CpuIsa isa, LinearWeight weight, ReadOnlySpan<float> input, int rows, Span<float> output,
        int firstRow, int outCount)
    {
        if (isa == CpuIsa.Portable || rows <= 0)
            return false;
        fixed (float* x = input)
        fixed (float* y = output)
        {
            var user = new MultiplyUser { Parallel = parallel, Isa = isa, X = x, Y = y, K = weight.InFeatures, Rows = rows, FirstRow = firstRow, OutCount = outCount };
            return ChunkDecoding.TryUse(weight, ref user);
        }
    }

    private struct MultiplyUser : IDecoderUser
    {
        public CpuParallel Parallel;
        public CpuIsa Isa;
        public float* X, Y;
        public int K, Rows, FirstRow, OutCount;

        public readonly void Use<TDecoder>(TDecoder decoder) where TDecoder : struct, IChunkDecoder
        {
            if (typeof(TDecoder) == typeof(Mxfp4Decoder) && UsesInt8(Parallel, K))
            {
                var m = Unsafe.As<TDecoder, Mxfp4Decoder>(ref decoder);
                MultiplyInt8(Parallel, m.Packed, m.Scales, K, X, Rows, Y, FirstRow, OutCount);
                return;
            }
            if (!TDecoder.Interleaved)
            {
                Run(Parallel, Isa, decoder, X, Y, K, Rows, FirstRow, OutCount);
                return;
            }
            float[] permuted = ArrayPool<float>.Shared.Rent(Rows * K);
            try
            {
                fixed (float* xp = permuted)
                {
                    PermuteForMxfp4(X, xp, Rows * K, Isa == CpuIsa.Avx512 ? 16 : 8);
                    Run(Parallel, Isa, decoder, xp, Y, K, Rows, FirstRow, OutCount);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(permuted);
            }
        }
    }

    /// <summary>Whether an MXFP4 product of inner size <paramref name="k"/> takes the int8-activation kernel.</summary>
    public static bool UsesInt8(CpuParallel parallel, int k) =>
        parallel.Activations == CpuActivationPrecision.Int8 && parallel.Isa != CpuIsa.Portable
        && k % Int8Activations.PairValues == 0 && Int8Mxfp4Kernel.IsSupported;

    private static void MultiplyInt8(CpuParallel parallel, byte* packed, byte* scales, int k, float* x, int rows, float* y, int firstRow, int outCount)
    {
        byte[] quantized = ArrayPool<byte>.Shared.Rent(rows * Int8Activations.BytesPerToken(k) + Int8Activations.Alignment);
        try
        {
            fixed (byte* q = quantized)
            {
                byte* aligned = Int8Activations.Aligned(q);
                Int8Activations.Quantize(x, rows, k, aligned);
                Int8Mxfp4Kernel.Multiply(parallel, packed, scales, k, aligned, rows, y, firstRow, outCount);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(quantized);
        }
    }

    /// <summary>
    /// Reorders each 32-value chunk of the activations to the MXFP4 decoder's register order: per run of
    /// 2·<paramref name="group"/> values, the even-indexed ones first, then the odd-indexed ones.
    /// </summary>
    public static void PermuteForMxfp4(float* source, float* destination, int count, int group)
    {
        if (group == 16 && Avx512F.IsSupported)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            var odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            for (int i = 0; i < count; i += 32)
            {
                var a = Vector512.Load(source + i);
                var b = Vector512.Load(source + i + 16);
                Avx512F.PermuteVar16x32x2(a, even, b).Store(destination + i);
                Avx512F.PermuteVar16x32x2(a, odd, b).Store(destination + i + 16);
            }
            return;
        }
        for (int i = 0; i < count; i += 2 * group)
        {
            for (int j = 0; j < group; j++)
            {
                destination[i + j] = source[i + 2 * j];
                destination[i + group + j] = source[i + 2 * j + 1];
            }
        }
    }

    private static void Run<TDecoder>(CpuParallel parallel, CpuIsa isa, TDecoder decoder, float* x, float* y, int k, int rows, int firstRow, int outCount)
        where TDecoder : struct, IChunkDecoder
    {
        var job = new TileJob<TDecoder>
        {
            Decoder = decoder,
            X = x,
            Y = y,
            K = k,
            Tokens = rows,
            FirstRow = firstRow,
            OutCount = outCount,
            Wide = isa == CpuIsa.Avx512,
            TokenBlock = Math.Max(RowsPerTile, TokenBlockBytes / (k * sizeof(float)) / RowsPerTile * RowsPerTile),
        };
        int tiles = (outCount + RowsPerTile - 1) / RowsPerTile;
        parallel.For(tiles, (long)RowsPerTile * k * rows, ref job);
    }

    private struct TileJob<TDecoder> : IRangeJob where TDecoder : struct, IChunkDecoder
    {
        public TDecoder Decoder;
        public float* X;
        public float* Y;
        public int K, Tokens, FirstRow, OutCount, TokenBlock;
        public bool Wide;

        public void Execute(int start, int end)
        {
            for (int blockStart = 0; blockStart < Tokens; blockStart += TokenBlock)
            {
                int blockEnd = Math.Min(Tokens, blockStart + TokenBlock);
                for (int tile = start; tile < end; tile++)
                {
                    int row = tile * RowsPerTile;
                    int valid = Math.Min(RowsPerTile, OutCount - row);
                    for (int t = blockStart; t < blockEnd; t += 4)
                    {
                        float* x = X + (long)t * K;
                        float* y = Y + (long)t * OutCount + row;
                        switch (Math.Min(4, blockEnd - t))
                        {
                            case 1: Tile<OneToken>(FirstRow + row, valid, x, y); break;
                            case 2: Tile<TwoTokens>(FirstRow + row, valid, x, y); break;
                            case 3: Tile<ThreeTokens>(FirstRow + row, valid, x, y); break;
                            default: Tile<FourTokens>(FirstRow + row, valid, x, y); break;
                        }
                    }
                }
            }
        }

        private void Tile<TTokens>(int row, int valid, float* x, float* y) where TTokens : struct, ITokenCount
        {
            if (Wide)
                MicroKernels.Tile512<TDecoder, TTokens>(ref Decoder, row, valid, K, x, y, OutCount);
            else
                MicroKernels.Tile256<TDecoder, TTokens>(ref Decoder, row, valid, K, x, y, OutCount);
        }
    }
}

/// <summary>Which SIMD path the CPU kernels take.</summary>
internal enum CpuIsa
{
    /// <summary>Decode each row to float32, then <c>TensorPrimitives</c> dot products (any CPU; the tests' reference).</summary>
    Portable,
    /// <summary>Vector256 with AVX2 + FMA.</summary>
    Avx2,
    /// <summary>Vector512 with AVX-512F.</summary>
    Avx512,
}

/// <summary>The best path this CPU supports (AVX-512 only once <see cref="Avx512SelfCheck"/> has passed).</summary>
internal static class CpuIsaDetection
{
    public static CpuIsa Best { get; } =
        Avx512SelfCheck.Passes() ? CpuIsa.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? CpuIsa.Avx2
        : CpuIsa.Portable;

    /// <summary><paramref name="requested"/> if this CPU can run it.</summary>
    public static bool IsSupported(CpuIsa requested) => requested <= Best;
}
