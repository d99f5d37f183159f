namespace GlmRuntime.Tensors;

/// <summary>Sizes and safetensors names of <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(DType dtype) => dtype switch
    {
        DType.F64 or DType.I64 or DType.U64 => 8,
        DType.F32 or DType.I32 or DType.U32 => 4,
        DType.F16 or DType.BF16 or DType.I16 or DType.U16 => 2,
        DType.F8E4M3 or DType.F8E5M2 or DType.U8 or DType.I8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>The name safetensors headers use ("BF16", "F8_E4M3", ...).</summary>
    public static string SafetensorsName(DType dtype) => dtype switch
    {
        DType.F32 => "F32",
        DType.F16 => "F16",
        DType.BF16 => "BF16",
        DType.F64 => "F64",
        DType.F8E4M3 => "F8_E4M3",
        DType.F8E5M2 => "F8_E5M2",
        DType.U8 => "U8",
        DType.I8 => "I8",
        DType.U16 => "U16",
        DType.I16 => "I16",
        DType.U32 => "U32",
        DType.I32 => "I32",
        DType.U64 => "U64",
        DType.I64 => "I64",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Parses a safetensors dtype name; false for names this runtime does not know.</summary>
    public static bool TryParseSafetensorsName(string name, out DType dtype)
    {
        DType? parsed = name switch
        {
            "F32" => DType.F32,
            "F16" => DType.F16,
            "BF16" => DType.BF16,
            "F64" => DType.F64,
            "F8_E4M3" => DType.F8E4M3,
            "F8_E5M2" => DType.F8E5M2,
            "U8" => DType.U8,
            "I8" => DType.I8,
            "U16" => DType.U16,
            "I16" => DType.I16,
            "U32" => DType.U32,
            "I32" => DType.I32,
            "U64" => DType.U64,
            "I64" => DType.I64,
            "BOOL" => DType.Bool,
            _ => null,
        };
        dtype = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>True for the floating-point types a dense (unquantized) weight may use.</summary>
    public static bool IsDenseFloat(DType dtype) => dtype is DType.F32 or DType.F16 or DType.BF16;

    /// <summary>Widens raw F32 / F16 / BF16 bytes to float32 (exact for all three).</summary>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a dense float type, or the spans disagree in length.</exception>
    public static void ConvertToSingle(DType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (!IsDenseFloat(dtype))
            throw new ArgumentException($"{dtype} is not a dense float type (F32, F16, BF16).", nameof(dtype));
        if (source.Length != (long)destination.Length * SizeOf(dtype))
            throw new ArgumentException($"{source.Length} bytes of {dtype} do not hold {destination.Length} values.", nameof(source));
        switch (dtype)
        {
            case DType.BF16:
                BFloat16Bits.ToSingle(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            case DType.F16:
                System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
            default:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
        }
    }
}
