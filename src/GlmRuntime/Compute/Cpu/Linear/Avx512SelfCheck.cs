using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GlmRuntime.Tensors;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>
/// Before the AVX-512 kernels are chosen, they compute a few small products of every format on fixed pseudo-random
/// data and must match the scalar definition; otherwise the AVX2 path is used. (The development and CI machines
/// of this project expose no AVX-512, so this check is what stands between an untested path and wrong logits.)
/// </summary>
internal static unsafe class Avx512SelfCheck
{
    private const int K = 64, Rows = 5, Tokens = 3;

    public static bool Passes()
    {
        if (!Avx512F.IsSupported || !Vector512.IsHardwareAccelerated)
            return false;
        try
        {
            return CheckMxfp4() && CheckFp8() && CheckBf16();
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static bool CheckMxfp4()
    {
        var packed = Bytes(Rows * K / 2, 1);
        var scales = Bytes(Rows * K / 32, 2).Select(b => (byte)(118 + b % 12)).ToArray();
        var weights = new float[Rows * K];
        for (int r = 0; r < Rows; r++)
            Mxfp4.DequantizeRow(packed.AsSpan(r * K / 2, K / 2), scales.AsSpan(r * K / 32, K / 32), weights.AsSpan(r * K, K));
        fixed (byte* p = packed)
        fixed (byte* s = scales)
        {
            var decoder = new Mxfp4Decoder(p, s, K);
            return Check(ref decoder, weights, permute: true);
        }
    }

    private static bool CheckFp8()
    {
        var codes = Bytes(Rows * K, 3).Select(b => b is 0x7F or 0xFF ? (byte)0x3C : b).ToArray();
        float[] tileScales = [0.0123f];
        var weights = new float[Rows * K];
        for (int i = 0; i < weights.Length; i++)
            weights[i] = Float8E4M3.ToSingle(codes[i]) * tileScales[0];
        fixed (byte* c = codes)
        fixed (float* s = tileScales)
        {
            var decoder = new Fp8Decoder(c, s, K, blockN: 128, tilesPerRow: 1, chunkShift: 2);
            return Check(ref decoder, weights, permute: false);
        }
    }

    private static bool CheckBf16()
    {
        var bits = Bytes(Rows * K * 2, 4);
        var halves = MemoryMarshal.Cast<byte, ushort>(bits.AsSpan());
        for (int i = 0; i < halves.Length; i++)
            halves[i] = (ushort)(0x3C00 | (halves[i] & 0x80FF));   // finite values of moderate size
        var weights = new float[Rows * K];
        BFloat16Bits.ToSingle(halves, weights);
        fixed (byte* b = bits)
        {
            var decoder = new Bf16Decoder(b, K);
            return Check(ref decoder, weights, permute: false);
        }
    }

    private static bool Check<TDecoder>(ref TDecoder decoder, float[] weights, bool permute) where TDecoder : struct, IChunkDecoder
    {
        var x = new float[Tokens * K];
        var random = new Random(5);
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(random.NextDouble() * 2 - 1);
        var y = new float[Tokens * Rows];
        Array.Fill(y, float.NaN);
        fixed (float* xs = x)
        fixed (float* ys = y)
        {
            var ordered = stackalloc float[Tokens * K];
            if (permute)
                LinearKernel.PermuteForMxfp4(xs, ordered, Tokens * K, 16);
            else
                new Span<float>(xs, Tokens * K).CopyTo(new Span<float>(ordered, Tokens * K));
            MicroKernels.Tile512<TDecoder, ThreeTokens>(ref decoder, 0, 4, K, ordered, ys, Rows);
            MicroKernels.Tile512<TDecoder, ThreeTokens>(ref decoder, 4, 1, K, ordered, ys + 4, Rows);
        }
        for (int t = 0; t < Tokens; t++)
        {
            for (int r = 0; r < Rows; r++)
            {
                double expected = 0, magnitude = 0;
                for (int i = 0; i < K; i++)
                {
                    expected += (double)weights[r * K + i] * x[t * K + i];
                    magnitude += Math.Abs((double)weights[r * K + i] * x[t * K + i]);
                }
                if (!(Math.Abs(y[t * Rows + r] - expected) <= 1e-5 * magnitude + 1e-30))
                    return false;
            }
        }
        return true;
    }

    private static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
