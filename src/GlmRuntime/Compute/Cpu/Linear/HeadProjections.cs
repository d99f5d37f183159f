using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>
/// The two per-head products of kv_b_proj that absorbed MLA runs every decode step (MODEL.md §3.4), with the weights
/// decoded in registers as <see cref="LinearKernel"/> does: q̃_h = W^UK_hᵀ q_nope_h, a transposed product (the sum runs
/// over weight rows), and o_h = W^UV_h õ_h, a GEMV whose input changes with the head. Each is one team dispatch over
/// (head, slice) items, so neither ever writes a float32 copy of a weight row. They decline (and the caller takes the
/// reference path) on <see cref="CpuIsa.Portable"/> or when the weight has no register decoder. Both use the 256-bit
/// decoders, which every AVX-512 CPU also runs.
/// </summary>
internal static unsafe class HeadProjections
{
    /// <summary>Value rows of one head per work item of the float <see cref="TryExpandValues"/> (one micro-kernel tile).</summary>
    private const int RowsPerTile = 4;

    /// <summary>Value rows of one head per work item of the int8 <see cref="TryExpandValues"/>.</summary>
    private const int RowsPerInt8Item = 16;

    /// <summary>
    /// absorbed[t, h] = [W^UK_hᵀ q_nope[t, h] | q_rope[t, h]] for <paramref name="tokens"/> rows of query [H, d_n + d_r].
    /// Each output value sums over the head's d_n weight rows in row order, as the reference does.
    /// </summary>
    public static bool TryAbsorbQuery(CpuParallel parallel, LinearWeight kvB, MlaShape shape, float* query, int tokens, float* absorbed)
    {
        if (parallel.Isa == CpuIsa.Portable || tokens <= 0)
            return false;
        var user = new AbsorbUser { Parallel = parallel, Shape = shape, Query = query, Tokens = tokens, Absorbed = absorbed };
        return ChunkDecoding.TryUse(kvB, ref user);
    }

    /// <summary>output[t, h] = W^UV_h · latent[t, h] for <paramref name="tokens"/> rows of latent [H, r_kv].</summary>
    public static bool TryExpandValues(CpuParallel parallel, LinearWeight kvB, MlaShape shape, float* latent, int tokens, float* output)
    {
        if (parallel.Isa == CpuIsa.Portable || tokens <= 0)
            return false;
        var user = new ExpandUser { Parallel = parallel, Shape = shape, Latent = latent, Tokens = tokens, Output = output };
        return ChunkDecoding.TryUse(kvB, ref user);
    }

    /// <summary>Even-indexed elements 0, 2, …, 14 in <paramref name="even"/> and odd ones in <paramref name="odd"/> → 16 in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreInterleaved(Vector256<float> even, Vector256<float> odd, float* destination)
    {
        var low = Avx.UnpackLow(even, odd);   // 0 1 2 3 | 8 9 10 11
        var high = Avx.UnpackHigh(even, odd); // 4 5 6 7 | 12 13 14 15
        Avx.Permute2x128(low, high, 0x20).Store(destination);
        Avx.Permute2x128(low, high, 0x31).Store(destination + 8);
    }

    private struct AbsorbUser : IDecoderUser
    {
        public CpuParallel Parallel;
        public MlaShape Shape;
        public float* Query, Absorbed;
        public int Tokens;

        public readonly void Use<TDecoder>(TDecoder decoder) where TDecoder : struct, IChunkDecoder
        {
            if (typeof(TDecoder) == typeof(Mxfp4Decoder))
            {
                var m = Unsafe.As<TDecoder, Mxfp4Decoder>(ref decoder);
                var stream = new AbsorbMxfp4Job { Packed = m.Packed, Scales = m.Scales, Shape = Shape, Query = Query, Tokens = Tokens, Absorbed = Absorbed };
                Parallel.For(Shape.Heads, (long)Tokens * Shape.NopeDim * Shape.KvRank, ref stream);
                return;
            }
            var job = new AbsorbJob<TDecoder> { Decoder = decoder, Shape = Shape, Query = Query, Tokens = Tokens, Absorbed = Absorbed };
            int chunks = Shape.KvRank / 32;
            Parallel.For(Shape.Heads * chunks, (long)Tokens * Shape.NopeDim * 32, ref job);
        }
    }

    /// <summary>
    /// FP8 and BF16 item = (head, 32 latent columns): four accumulators walk down the head's d_n rows of that chunk
    /// (those decoders keep stored order; MXFP4 takes <see cref="AbsorbMxfp4Job"/>).
    /// </summary>
    private struct AbsorbJob<TDecoder> : IRangeJob where TDecoder : struct, IChunkDecoder
    {
        public TDecoder Decoder;
        public MlaShape Shape;
        public float* Query, Absorbed;
        public int Tokens;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end)
        {
            var s = Shape;
            int chunks = s.KvRank / 32;
            for (int item = start; item < end; item++)
            {
                int h = item / chunks, chunk = item % chunks, firstRow = h * s.KvBRowsPerHead;
                for (int t = 0; t < Tokens; t++)
                {
                    float* q = Query + (long)(t * s.Heads + h) * s.QkHeadDim;
                    float* y = Absorbed + (long)(t * s.Heads + h) * s.LatentDim;
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    for (int d = 0; d < s.NopeDim; d++)
                    {
                        Decoder.Decode256(Decoder.Row(firstRow + d), chunk, out var w0, out var w1, out var w2, out var w3);
                        var qd = Vector256.Create(q[d]);
                        a0 = Fma.MultiplyAdd(w0, qd, a0);
                        a1 = Fma.MultiplyAdd(w1, qd, a1);
                        a2 = Fma.MultiplyAdd(w2, qd, a2);
                        a3 = Fma.MultiplyAdd(w3, qd, a3);
                    }
                    float* yc = y + chunk * 32;
                    if (TDecoder.Interleaved)
                    {
                        StoreInterleaved(a0, a1, yc);
                        StoreInterleaved(a2, a3, yc + 16);
                    }
                    else
                    {
                        a0.Store(yc);
                        a1.Store(yc + 8);
                        a2.Store(yc + 16);
                        a3.Store(yc + 24);
                    }
                    if (chunk == 0)
                        new ReadOnlySpan<float>(q + s.NopeDim, s.RopeDim).CopyTo(new Span<float>(y + s.KvRank, s.RopeDim));
                }
            }
        }
    }

    /// <summary>
    /// MXFP4 item = one head: its d_n rows are streamed in stored order (two at a time) and each is multiplied into
    /// the head's output row, which stays in L1; each output value still sums down the rows in row order. Each row's
    /// halved E8M0 scale is folded into q[d] once per block (exact: a power of two), so a value costs one conversion
    /// and one FMA. Outputs are kept in the decoder's even/odd order and put back in order at the end.
    /// </summary>
    private struct AbsorbMxfp4Job : IRangeJob
    {
        public byte* Packed, Scales;
        public MlaShape Shape;
        public float* Query, Absorbed;
        public int Tokens;

        public readonly void Execute(int start, int end)
        {
            var s = Shape;
            int k = s.KvRank, rowBytes = k / 2, chunks = k / 32;
            float* half = DecodeTables.E8M0Half;
            for (int h = start; h < end; h++)
            {
                byte* headData = Packed + (long)h * s.KvBRowsPerHead * rowBytes;
                byte* headScales = Scales + (long)h * s.KvBRowsPerHead * chunks;
                for (int t = 0; t < Tokens; t++)
                {
                    float* q = Query + (long)(t * s.Heads + h) * s.QkHeadDim;
                    float* y = Absorbed + (long)(t * s.Heads + h) * s.LatentDim;
                    new Span<float>(y, k).Clear();
                    int d = 0;
                    for (; d + 1 < s.NopeDim; d += 2)
                        AccumulateRows(headData + (long)d * rowBytes, headScales + (long)d * chunks, rowBytes, chunks, half, q[d], q[d + 1], y);
                    if (d < s.NopeDim)
                        AccumulateRows(headData + (long)d * rowBytes, headScales + (long)d * chunks, 0, chunks, half, q[d], 0f, y, single: true);
                    for (int c = 0; c < chunks; c++)
                    {
                        float* yc = y + c * 32;
                        Unpermute(yc);
                        Unpermute(yc + 16);
                    }
                    new ReadOnlySpan<float>(q + s.NopeDim, s.RopeDim).CopyTo(new Span<float>(y + k, s.RopeDim));
                }
            }
        }

        /// <summary>y += row d · q_d, then + row d+1 · q_{d+1} (unless <paramref name="single"/>), chunk by chunk.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AccumulateRows(byte* data, byte* scales, int rowBytes, int chunks, float* half, float q0, float q1, float* y, bool single = false)
        {
            for (int c = 0; c < chunks; c++)
            {
                float* yc = y + c * 32;
                Mxfp4Decoder.DecodeDoubled256(data + c * 16, out var w0, out var w1, out var w2, out var w3);
                var f = Vector256.Create(half[scales[c]] * q0);
                var y0 = Fma.MultiplyAdd(w0, f, Vector256.Load(yc));
                var y1 = Fma.MultiplyAdd(w1, f, Vector256.Load(yc + 8));
                var y2 = Fma.MultiplyAdd(w2, f, Vector256.Load(yc + 16));
                var y3 = Fma.MultiplyAdd(w3, f, Vector256.Load(yc + 24));
                if (!single)
                {
                    Mxfp4Decoder.DecodeDoubled256(data + rowBytes + c * 16, out w0, out w1, out w2, out w3);
                    f = Vector256.Create(half[scales[chunks + c]] * q1);
                    y0 = Fma.MultiplyAdd(w0, f, y0);
                    y1 = Fma.MultiplyAdd(w1, f, y1);
                    y2 = Fma.MultiplyAdd(w2, f, y2);
                    y3 = Fma.MultiplyAdd(w3, f, y3);
                }
                y0.Store(yc);
                y1.Store(yc + 8);
                y2.Store(yc + 16);
                y3.Store(yc + 24);
            }
        }

        /// <summary>16 values stored as [evens | odds] back to stored order, in place.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Unpermute(float* values) =>
            StoreInterleaved(Vector256.Load(values), Vector256.Load(values + 8), values);
    }

    private struct ExpandUser : IDecoderUser
    {
        public CpuParallel Parallel;
        public MlaShape Shape;
        public float* Latent, Output;
        public int Tokens;

        public readonly void Use<TDecoder>(TDecoder decoder) where TDecoder : struct, IChunkDecoder
        {
            var s = Shape;
            int k = s.KvRank, inputs = Tokens * s.Heads;
            if (typeof(TDecoder) == typeof(Mxfp4Decoder) && LinearKernel.UsesInt8(Parallel, k))
            {
                var m = Unsafe.As<TDecoder, Mxfp4Decoder>(ref decoder);
                byte[] buffer = ArrayPool<byte>.Shared.Rent(inputs * Int8Activations.BytesPerToken(k) + Int8Activations.Alignment);
                try
                {
                    fixed (byte* b = buffer)
                    {
                        byte* quantized = Int8Activations.Aligned(b);
                        Int8Activations.Quantize(Latent, inputs, k, quantized);
                        var job = new ExpandInt8Job { Packed = m.Packed, Scales = m.Scales, Shape = s, Quantized = quantized, Tokens = Tokens, Output = Output };
                        Parallel.For(s.Heads * ((s.ValueDim + RowsPerInt8Item - 1) / RowsPerInt8Item), (long)Tokens * RowsPerInt8Item * k / 4, ref job);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                return;
            }
            float[]? permuted = TDecoder.Interleaved ? ArrayPool<float>.Shared.Rent(inputs * k) : null;
            try
            {
                fixed (float* p = permuted)
                {
                    float* x = Latent;
                    if (permuted is not null)
                    {
                        LinearKernel.PermuteForMxfp4(Latent, p, inputs * k, 8);
                        x = p;
                    }
                    var job = new ExpandJob<TDecoder> { Decoder = decoder, Shape = s, Input = x, Tokens = Tokens, Output = Output };
                    Parallel.For(s.Heads * ((s.ValueDim + RowsPerTile - 1) / RowsPerTile), (long)Tokens * RowsPerTile * k, ref job);
                }
            }
            finally
            {
                if (permuted is not null)
                    ArrayPool<float>.Shared.Return(permuted);
            }
        }
    }

    /// <summary>Item = (head, 4 value rows): one register tile per token, against that token's head input.</summary>
    private struct ExpandJob<TDecoder> : IRangeJob where TDecoder : struct, IChunkDecoder
    {
        public TDecoder Decoder;
        public MlaShape Shape;
        public float* Input, Output;
        public int Tokens;

        public void Execute(int start, int end)
        {
            var s = Shape;
            int tiles = (s.ValueDim + RowsPerTile - 1) / RowsPerTile;
            for (int item = start; item < end; item++)
            {
                int h = item / tiles, row = item % tiles * RowsPerTile;
                int valid = Math.Min(RowsPerTile, s.ValueDim - row);
                int weightRow = h * s.KvBRowsPerHead + s.NopeDim + row;
                for (int t = 0; t < Tokens; t++)
                {
                    long pair = (long)t * s.Heads + h;
                    MicroKernels.Tile256<TDecoder, OneToken>(ref Decoder, weightRow, valid, s.KvRank, Input + pair * s.KvRank,
                        Output + pair * s.ValueDim + row, s.ValueDim);
                }
            }
        }
    }

    /// <summary>Item = (head, 16 value rows) through <see cref="Int8Mxfp4Kernel.Rows"/>, one token at a time.</summary>
    private struct ExpandInt8Job : IRangeJob
    {
        public byte* Packed, Scales, Quantized;
        public MlaShape Shape;
        public float* Output;
        public int Tokens;

        public readonly void Execute(int start, int end)
        {
            var s = Shape;
            int slices = (s.ValueDim + RowsPerInt8Item - 1) / RowsPerInt8Item, tokenBytes = Int8Activations.BytesPerToken(s.KvRank);
            for (int item = start; item < end; item++)
            {
                int h = item / slices, row = item % slices * RowsPerInt8Item;
                int count = Math.Min(RowsPerInt8Item, s.ValueDim - row);
                for (int t = 0; t < Tokens; t++)
                {
                    long pair = (long)t * s.Heads + h;
                    Int8Mxfp4Kernel.Rows(Packed, Scales, s.KvRank, Quantized + pair * tokenBytes, 1, Output + pair * s.ValueDim + row, 1,
                        h * s.KvBRowsPerHead + s.NopeDim + row, count);
                }
            }
        }
    }
}
