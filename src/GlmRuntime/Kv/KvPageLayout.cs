namespace GlmRuntime.Kv;

/// <summary>
/// Where a page keeps each layer's rows. A page covers <see cref="PageSize"/> consecutive positions of one sequence
/// for every layer slot (the main layers in order, then the MTP layer when it is cached): per slot, PageSize latent
/// rows [r_kv + d_r] followed by PageSize indexer-key rows [D_I] (none for a layer that shares its indexer),
/// each row encoded with <see cref="KvRowCodec"/>. With fp8 pages only c_kv (the first r_kv latent values) is
/// quantized; k_rope and the indexer keys are kept in bf16, as FlashMLA and DeepSeek-V3.2 do for the rotary part.
/// </summary>
internal sealed class KvPageLayout
{
    private readonly int[] _indexKeyDims;
    private readonly int[] _slotOffsets;

    /// <param name="pageSize">Positions per page.</param>
    /// <param name="dtype">Row storage.</param>
    /// <param name="latentDim">r_kv + d_r.</param>
    /// <param name="indexKeyDims">D_I per slot (0 where the layer has no indexer of its own).</param>
    /// <param name="quantizedLatentDim">Leading latent values stored in fp8 with fp8 pages (r_kv); null quantizes the whole row.</param>
    public KvPageLayout(int pageSize, KvCacheDType dtype, int latentDim, IReadOnlyList<int> indexKeyDims, int? quantizedLatentDim = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        PageSize = pageSize;
        DType = dtype;
        LatentDim = latentDim;
        QuantizedLatentDim = quantizedLatentDim ?? latentDim;
        IndexKeyDType = dtype == KvCacheDType.Float8E4M3 ? KvCacheDType.BFloat16 : dtype;
        _indexKeyDims = [.. indexKeyDims];
        LatentRowBytes = KvRowCodec.RowBytes(dtype, latentDim, QuantizedLatentDim);
        _slotOffsets = new int[_indexKeyDims.Length + 1];
        long offset = 0;
        for (int s = 0; s < _indexKeyDims.Length; s++)
        {
            _slotOffsets[s] = (int)offset;
            offset += (long)pageSize * (LatentRowBytes + IndexRowBytes(s));
            if (offset > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"A page of {pageSize} tokens would exceed 2 GiB; use smaller pages.");
        }
        _slotOffsets[^1] = (int)offset;
        PageBytes = (int)offset;
    }

    public int PageSize { get; }

    public KvCacheDType DType { get; }

    /// <summary>r_kv + d_r.</summary>
    public int LatentDim { get; }

    /// <summary>Leading latent values quantized to fp8 with fp8 pages.</summary>
    public int QuantizedLatentDim { get; }

    /// <summary>Storage of the indexer keys (bf16 when the latent is fp8).</summary>
    public KvCacheDType IndexKeyDType { get; }

    /// <summary>Layer slots per page.</summary>
    public int SlotCount => _indexKeyDims.Length;

    /// <summary>Bytes of one encoded latent row.</summary>
    public int LatentRowBytes { get; }

    /// <summary>Bytes of one page.</summary>
    public int PageBytes { get; }

    /// <summary>Bytes the cache holds per token (all slots).</summary>
    public double BytesPerToken => (double)PageBytes / PageSize;

    /// <summary>D_I of a slot.</summary>
    public int IndexKeyDim(int slot) => _indexKeyDims[slot];

    /// <summary>Bytes of one encoded indexer-key row of a slot.</summary>
    public int IndexRowBytes(int slot) => _indexKeyDims[slot] == 0 ? 0 : KvRowCodec.RowBytes(IndexKeyDType, _indexKeyDims[slot]);

    /// <summary>Byte offset in a page of the latent row at <paramref name="row"/> (0..PageSize−1) of a slot.</summary>
    public int LatentOffset(int slot, int row) => _slotOffsets[slot] + row * LatentRowBytes;

    /// <summary>Byte offset in a page of the indexer-key row at <paramref name="row"/> of a slot.</summary>
    public int IndexKeyOffset(int slot, int row) => _slotOffsets[slot] + PageSize * LatentRowBytes + row * IndexRowBytes(slot);

    /// <summary>Pages needed to hold <paramref name="tokens"/> positions.</summary>
    public int PagesFor(int tokens) => (tokens + PageSize - 1) / PageSize;
}
