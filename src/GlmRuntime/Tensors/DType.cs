namespace GlmRuntime.Tensors;

/// <summary>Element types a checkpoint tensor can be stored in (the safetensors dtype vocabulary).</summary>
public enum DType
{
    /// <summary>IEEE 754 binary32.</summary>
    F32,
    /// <summary>IEEE 754 binary16.</summary>
    F16,
    /// <summary>bfloat16: the top 16 bits of a binary32.</summary>
    BF16,
    /// <summary>IEEE 754 binary64.</summary>
    F64,
    /// <summary>float8 e4m3fn: bias 7, no infinities, 0x7F/0xFF are NaN, max 448.</summary>
    F8E4M3,
    /// <summary>float8 e5m2: bias 15, IEEE-like.</summary>
    F8E5M2,
    /// <summary>Unsigned byte; also the container of packed MXFP4 codes and E8M0 scales.</summary>
    U8,
    /// <summary>Signed byte.</summary>
    I8,
    /// <summary>16-bit unsigned integer.</summary>
    U16,
    /// <summary>16-bit signed integer.</summary>
    I16,
    /// <summary>32-bit unsigned integer.</summary>
    U32,
    /// <summary>32-bit signed integer.</summary>
    I32,
    /// <summary>64-bit unsigned integer.</summary>
    U64,
    /// <summary>64-bit signed integer.</summary>
    I64,
    /// <summary>Boolean stored as one byte.</summary>
    Bool,
}
