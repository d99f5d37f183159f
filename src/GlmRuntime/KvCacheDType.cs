namespace GlmRuntime;

/// <summary>How KV pages store the MLA latent and the indexer keys.</summary>
public enum KvCacheDType
{
    /// <summary>32-bit floats: exact, 4 bytes a value.</summary>
    Float32,

    /// <summary>bfloat16: 2 bytes a value.</summary>
    BFloat16,

    /// <summary>fp8 e4m3 with one fp32 scale per 128 values (FlashMLA's form for the latent): about 1 byte a value.</summary>
    Float8E4M3,
}
