using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>
/// Activations quantized per 32 values to int8 for <see cref="Int8Mxfp4Kernel"/> (llama.cpp's Q8_0 idea): each
/// 32-value block keeps its largest magnitude as 127 and rounds the rest to nearest-even, so an element is off by at
/// most half its block's step (amax / 254). One token takes <see cref="BytesPerToken"/> bytes, laid out to match the
/// kernel's register order:
/// <list type="bullet">
/// <item>codes: per pair of blocks (64 values, A then B) 64 sbytes, [A's even-indexed 16, B's even 16, A's odd 16,
/// B's odd 16] (K bytes in all);</item>
/// <item>scales: per group of four block pairs 8 floats, [sA0, sA1, sA2, sA3, sB0, sB1, sB2, sB3] (the kernel reduces
/// four pairs' integer sums into that order); a last group of fewer pairs has zeros in the missing slots;</item>
/// <item>corrections: the same slots, −12·Σq·s per block (the kernel multiplies by E2M1 values offset by +12 so they
/// are unsigned; this takes the offset back out).</item>
/// </list>
/// </summary>
internal static unsafe class Int8Activations
{
    /// <summary>Values per block pair: the kernel's step.</summary>
    public const int PairValues = 64;

    /// <summary>Offset added to the doubled E2M1 values (−12..12) so they fit vpmaddubsw's unsigned operand.</summary>
    public const int WeightOffset = 12;

    /// <summary>Alignment of quantized tokens (one Vector256), and the slack a buffer needs to place them there.</summary>
    public const int Alignment = 32;

    /// <summary>Block pairs per scale group: the kernel's step.</summary>
    public const int GroupPairs = 4;

    /// <summary>Scale groups of a token of K values (the last one may be partial).</summary>
    public static int Groups(int k) => (k / PairValues + GroupPairs - 1) / GroupPairs;

    public static int BytesPerToken(int k) => k + Groups(k) * 2 * 8 * sizeof(float);

    /// <summary>The first <see cref="Alignment"/>-aligned address at or after <paramref name="buffer"/>.</summary>
    public static byte* Aligned(byte* buffer) => (byte*)(((nint)buffer + Alignment - 1) & ~(nint)(Alignment - 1));

    public static sbyte* Codes(byte* token) => (sbyte*)token;

    public static float* Scales(byte* token, int k) => (float*)(token + k);

    public static float* Corrections(byte* token, int k) => Scales(token, k) + Groups(k) * 8;

    /// <summary>The slot of block <paramref name="half"/> (0 = A, 1 = B) of pair <paramref name="pair"/> in the scales and corrections.</summary>
    public static int Slot(int pair, int half) => pair / GroupPairs * 8 + half * GroupPairs + pair % GroupPairs;

    /// <summary>Quantizes <paramref name="tokens"/> rows of K values (K a multiple of 64) into <paramref name="destination"/>.</summary>
    public static void Quantize(float* x, int tokens, int k, byte* destination)
    {
        for (int t = 0; t < tokens; t++)
            QuantizePairs(x + (long)t * k, k, 0, k / PairValues, destination + (long)t * BytesPerToken(k));
    }

    /// <summary>
    /// Quantizes block pairs [firstPair, firstPair + pairCount) of one row of K values into its token record
    /// <paramref name="token"/> (so a row can be quantized piece by piece as its values are produced). Whoever writes
    /// the last pair also zeroes the slots a partial last group leaves empty.
    /// </summary>
    public static void QuantizePairs(float* row, int k, int firstPair, int pairCount, byte* token)
    {
        float* scales = Scales(token, k), corrections = Corrections(token, k);
        for (int pair = firstPair; pair < firstPair + pairCount; pair++)
        {
            for (int half = 0; half < 2; half++)
            {
                int slot = Slot(pair, half);
                QuantizeBlock(row + pair * PairValues + half * 32, Codes(token) + pair * PairValues + half * 16,
                    out scales[slot], out corrections[slot]);
            }
        }
        int pairs = k / PairValues;
        if (firstPair + pairCount == pairs)
        {
            for (int pair = pairs; pair % GroupPairs != 0; pair++)
            {
                for (int half = 0; half < 2; half++)
                    scales[Slot(pair, half)] = corrections[Slot(pair, half)] = 0;
            }
        }
    }

    /// <summary>One 32-value block: its codes go to [0..16) (even elements) and [32..48) (odd) of its pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuantizeBlock(float* x, sbyte* codes, out float scale, out float correction)
    {
        // Vector256 throughout: only the int8 kernel's callers quantize, and the kernel requires AVX2.
        var sign = Vector256.Create(-0f);
        Vector256<float> v0 = Vector256.Load(x), v1 = Vector256.Load(x + 8), v2 = Vector256.Load(x + 16), v3 = Vector256.Load(x + 24);
        var m = Vector256.Max(Vector256.Max(Vector256.AndNot(v0, sign), Vector256.AndNot(v1, sign)),
            Vector256.Max(Vector256.AndNot(v2, sign), Vector256.AndNot(v3, sign)));
        var h = Vector128.Max(m.GetLower(), m.GetUpper());
        h = Vector128.Max(h, Vector128.Shuffle(h, Vector128.Create(2, 3, 0, 1)));
        float amax = MathF.Max(h.ToScalar(), h.GetElement(1));
        // A NaN input must not quantize to finite codes (max may drop it; infinities already show in amax).
        if (!(Vector256.EqualsAll(v0, v0) && Vector256.EqualsAll(v1, v1) && Vector256.EqualsAll(v2, v2) && Vector256.EqualsAll(v3, v3)))
            amax = float.NaN;
        scale = amax / 127f;
        int sum = 0;
        if (float.IsFinite(amax))
        {
            // x·(127/amax) rounded half to even, as MathF.Round(…, ToEven) does; the products lie in [−127, 127], so
            // the conversions and packs are exact. Each 8 lanes are split into even and odd elements first, so the
            // two packs leave the 16 even codes in the low half and the 16 odd ones in the high half.
            var inverse = Vector256.Create(amax > 0 ? 127f / amax : 0f);
            var split = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
            var r0 = Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(v0 * inverse));
            var r1 = Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(v1 * inverse));
            var r2 = Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(v2 * inverse));
            var r3 = Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(v3 * inverse));
            sum = Vector256.Sum(r0 + r1 + r2 + r3);
            var low = Avx2.PackSignedSaturate(Avx2.PermuteVar8x32(r0, split), Avx2.PermuteVar8x32(r1, split));
            var high = Avx2.PackSignedSaturate(Avx2.PermuteVar8x32(r2, split), Avx2.PermuteVar8x32(r3, split));
            var packed = Avx2.PackSignedSaturate(low, high);
            packed.GetLower().Store(codes);
            packed.GetUpper().Store(codes + 32);
        }
        else
        {
            // The scalar definition's codes here: every product is 0·x or NaN, and (int)NaN is 0.
            new Span<sbyte>(codes, 16).Clear();
            new Span<sbyte>(codes + 32, 16).Clear();
            scale = float.NaN;
        }
        correction = -WeightOffset * sum * scale;
    }
}
