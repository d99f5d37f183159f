using System.Runtime.InteropServices;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu.Linear;

/// <summary>
/// Whether a weight's stored values are all ones the register decoders reproduce exactly; checked once per weight
/// on first use and remembered. FP8: a NaN code (0x7F/0xFF) or a tile scale of 2^8 or more (the decoder multiplies
/// the scale by 2^120). Such a weight takes the reference path; real checkpoints have neither.
/// </summary>
internal static class FastPathCheck
{
    private const int Unknown = 0, Allowed = 1, Refused = 2;

    public static bool Allows(LinearWeight weight)
    {
        int state = Volatile.Read(ref weight.FastPathState);
        if (state == Unknown)
        {
            state = Inspect(weight) ? Allowed : Refused;
            Volatile.Write(ref weight.FastPathState, state);
        }
        return state == Allowed;
    }

    private static bool Inspect(LinearWeight weight) => weight switch
    {
        Mxfp4LinearWeight m => m.InFeatures % 2 == 0,
        DenseLinearWeight d => d.Format == WeightFormat.BF16,
        Fp8BlockLinearWeight f => f.BlockK % 32 == 0 && System.Numerics.BitOperations.IsPow2(f.BlockK / 32) && Fp8ValuesAllowed(f),
        _ => false,
    };

    private static bool Fp8ValuesAllowed(Fp8BlockLinearWeight f)
    {
        foreach (float s in MemoryMarshal.Cast<byte, float>(f.ScaleInv.Bytes(0, checked((int)f.ScaleInv.ByteLength))))
        {
            if (float.IsFinite(s) && MathF.Abs(s) >= 256f)
                return false;
        }
        return f.Weight.Bytes(0, checked((int)f.Weight.ByteLength)).IndexOfAny((byte)0x7F, (byte)0xFF) < 0;
    }
}
