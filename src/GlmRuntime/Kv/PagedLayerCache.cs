namespace GlmRuntime.Kv;

/// <summary>
/// One layer slot of one sequence over its pages: appends encode rows into the pages the page table already
/// holds; reads gather the sequence's rows into the pool's float32 scratch so the attention kernels see
/// [Count, width] exactly as with a contiguous cache.
/// </summary>
internal sealed class PagedLayerCache(PagePool pool, PageTable table, int slot) : IKvLayerCache
{
    private readonly KvPageLayout _layout = pool.Layout;

    public int LatentDim => _layout.LatentDim;

    public int IndexKeyDim => _layout.IndexKeyDim(slot);

    public int Count { get; private set; }

    public ReadOnlySpan<float> Latent
    {
        get
        {
            var rows = pool.LatentGather(Count * LatentDim);
            for (int p = 0; p < Count; p++)
            {
                var bytes = pool.Bytes(table.PageAt(p)).Slice(_layout.LatentOffset(slot, p % _layout.PageSize), _layout.LatentRowBytes);
                KvRowCodec.Decode(_layout.DType, bytes, rows.Slice(p * LatentDim, LatentDim), _layout.QuantizedLatentDim);
            }
            return rows;
        }
    }

    public ReadOnlySpan<float> IndexKeys
    {
        get
        {
            int width = IndexKeyDim;
            var rows = pool.IndexGather(Count * width);
            if (width == 0)
                return rows;
            for (int p = 0; p < Count; p++)
            {
                var bytes = pool.Bytes(table.PageAt(p)).Slice(_layout.IndexKeyOffset(slot, p % _layout.PageSize), _layout.IndexRowBytes(slot));
                KvRowCodec.Decode(_layout.IndexKeyDType, bytes, rows.Slice(p * width, width));
            }
            return rows;
        }
    }

    public void Append(ReadOnlySpan<float> latentRows, ReadOnlySpan<float> indexKeyRows)
    {
        int tokens = latentRows.Length / LatentDim, width = IndexKeyDim;
        if (latentRows.Length != tokens * LatentDim || indexKeyRows.Length != tokens * width)
            throw new ArgumentException($"Cache rows must be [T, {LatentDim}] and [T, {width}]; got {latentRows.Length} and {indexKeyRows.Length} values.");
        if (Count + tokens > table.Capacity)
            throw new InvalidOperationException($"KV slot {slot} would reach {Count + tokens} tokens; the sequence holds pages for {table.Capacity}.");
        for (int t = 0; t < tokens; t++)
        {
            int position = Count + t, row = position % _layout.PageSize;
            var page = pool.Bytes(table.PageAt(position));
            KvRowCodec.Encode(_layout.DType, latentRows.Slice(t * LatentDim, LatentDim), page.Slice(_layout.LatentOffset(slot, row), _layout.LatentRowBytes), _layout.QuantizedLatentDim);
            if (width > 0)
                KvRowCodec.Encode(_layout.IndexKeyDType, indexKeyRows.Slice(t * width, width), page.Slice(_layout.IndexKeyOffset(slot, row), _layout.IndexRowBytes(slot)));
        }
        Count += tokens;
    }

    public void Truncate(int count)
    {
        if ((uint)count > (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The cache holds {Count} tokens.");
        Count = count;
    }

    /// <summary>Marks the first <paramref name="count"/> positions as filled (rows adopted from the prefix cache).</summary>
    public void Adopt(int count)
    {
        if (Count != 0 || count > table.Capacity)
            throw new InvalidOperationException($"KV slot {slot}: cannot adopt {count} cached tokens into a cache holding {Count} with room for {table.Capacity}.");
        Count = count;
    }
}
