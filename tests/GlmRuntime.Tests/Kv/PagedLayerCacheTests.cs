using GlmRuntime.Kv;

namespace GlmRuntime.Tests.Kv;

[TestFixture]
public sealed class PagedLayerCacheTests
{
    private const int PageSize = 4, LatentDim = 130, IndexKeyDim = 128;

    private static PagePool NewPool(KvCacheDType dtype, int pageCount = 10) =>
        new(new KvPageLayout(PageSize, dtype, LatentDim, indexKeyDims: [IndexKeyDim, 0]), pageCount);

    /// <summary>A table over <paramref name="pageCount"/> pages taken in a scrambled order, so positions never map to page ids by accident.</summary>
    private static PageTable ScrambledTable(PagePool pool, int pageCount)
    {
        var pages = new List<int>();
        for (int i = 0; i < pool.TotalCount; i++)
        {
            pool.TryAllocate(out int page);
            pages.Add(page);
        }
        var table = new PageTable(PageSize);
        foreach (int page in pages.OrderBy(p => (p * 7) % pool.TotalCount).Take(pageCount))
            table.Add(page);
        return table;
    }

    private static float[] Rows(Random random, int tokens, int width) =>
        [.. Enumerable.Range(0, tokens * width).Select(_ => (float)(random.NextDouble() * 8 - 4))];

    /// <summary>The values a row-by-row encode and decode gives back (exact reference for every dtype).</summary>
    /// <summary>Index keys are stored in bf16 when the latent is fp8.</summary>
    private static KvCacheDType KeyDType(KvCacheDType dtype) => dtype == KvCacheDType.Float8E4M3 ? KvCacheDType.BFloat16 : dtype;

    private static float[] Stored(KvCacheDType dtype, ReadOnlySpan<float> rows, int width)
    {
        var result = new float[rows.Length];
        if (width == 0)
            return result;
        var bytes = new byte[KvRowCodec.RowBytes(dtype, width)];
        for (int r = 0; r < rows.Length / width; r++)
        {
            KvRowCodec.Encode(dtype, rows.Slice(r * width, width), bytes);
            KvRowCodec.Decode(dtype, bytes, result.AsSpan(r * width, width));
        }
        return result;
    }

    [TestCase(KvCacheDType.Float32)]
    [TestCase(KvCacheDType.BFloat16)]
    [TestCase(KvCacheDType.Float8E4M3)]
    public void Chunked_appends_across_page_boundaries_read_back_as_a_contiguous_cache(KvCacheDType dtype)
    {
        var pool = NewPool(dtype);
        var table = ScrambledTable(pool, pageCount: 4);
        var main = new PagedLayerCache(pool, table, slot: 0);
        var shared = new PagedLayerCache(pool, table, slot: 1);
        var reference = new LayerKvCache(LatentDim, IndexKeyDim, maxTokens: 16);
        var sharedReference = new LayerKvCache(LatentDim, 0, maxTokens: 16);
        var random = new Random((int)dtype + 11);
        foreach (int tokens in new[] { 3, 1, 6, 2, 4 })
        {
            var latent = Rows(random, tokens, LatentDim);
            var keys = Rows(random, tokens, IndexKeyDim);
            var sharedLatent = Rows(random, tokens, LatentDim);
            main.Append(latent, keys);
            reference.Append(latent, keys);
            shared.Append(sharedLatent, []);
            sharedReference.Append(sharedLatent, []);
        }

        Assert.That(main.Count, Is.EqualTo(16));
        Assert.That(main.Latent.ToArray(), Is.EqualTo(Stored(dtype, reference.Latent, LatentDim)), "slot 0 latent");
        Assert.That(main.IndexKeys.ToArray(), Is.EqualTo(Stored(KeyDType(dtype), reference.IndexKeys, IndexKeyDim)), "slot 0 index keys");
        Assert.That(shared.Latent.ToArray(), Is.EqualTo(Stored(dtype, sharedReference.Latent, LatentDim)), "slot 1 latent");
        if (dtype == KvCacheDType.Float32)
            Assert.That(main.Latent.ToArray(), Is.EqualTo(reference.Latent.ToArray()));
    }

    [Test]
    public void Sequences_over_one_pool_keep_their_rows_apart()
    {
        var pool = NewPool(KvCacheDType.Float32);
        var tableA = new PageTable(PageSize);
        var tableB = new PageTable(PageSize);
        for (int i = 0; i < 3; i++)
        {
            pool.TryAllocate(out int a);
            pool.TryAllocate(out int b);
            tableA.Add(a);
            tableB.Add(b);
        }
        var cacheA = new PagedLayerCache(pool, tableA, 0);
        var cacheB = new PagedLayerCache(pool, tableB, 0);
        var random = new Random(5);
        var latentA = Rows(random, 9, LatentDim);
        var latentB = Rows(random, 7, LatentDim);
        cacheA.Append(latentA, Rows(random, 9, IndexKeyDim));
        cacheB.Append(latentB, Rows(random, 7, IndexKeyDim));
        Assert.That(cacheA.Latent.ToArray(), Is.EqualTo(latentA));
        Assert.That(cacheB.Latent.ToArray(), Is.EqualTo(latentB));
    }

    [Test]
    public void Appending_past_the_held_pages_throws_and_keeps_the_count()
    {
        var pool = NewPool(KvCacheDType.BFloat16);
        var table = ScrambledTable(pool, pageCount: 2);
        var cache = new PagedLayerCache(pool, table, 0);
        var random = new Random(6);
        cache.Append(Rows(random, 6, LatentDim), Rows(random, 6, IndexKeyDim));
        var error = Assert.Throws<InvalidOperationException>(() => cache.Append(Rows(random, 3, LatentDim), Rows(random, 3, IndexKeyDim)));
        Assert.That(error!.Message, Does.Contain("pages for 8"));
        Assert.That(cache.Count, Is.EqualTo(6));
        cache.Append(Rows(random, 2, LatentDim), Rows(random, 2, IndexKeyDim));
        Assert.That(cache.Count, Is.EqualTo(8));
        Assert.Throws<InvalidOperationException>(() => cache.Append(Rows(random, 1, LatentDim), Rows(random, 1, IndexKeyDim)));
    }

    [Test]
    public void Misshapen_rows_are_rejected()
    {
        var pool = NewPool(KvCacheDType.Float32);
        var table = ScrambledTable(pool, pageCount: 2);
        var main = new PagedLayerCache(pool, table, 0);
        var shared = new PagedLayerCache(pool, table, 1);
        Assert.Throws<ArgumentException>(() => main.Append(new float[LatentDim + 1], new float[IndexKeyDim]));
        Assert.Throws<ArgumentException>(() => main.Append(new float[LatentDim], new float[IndexKeyDim - 1]));
        Assert.Throws<ArgumentException>(() => shared.Append(new float[LatentDim], new float[IndexKeyDim]), "slot 1 has no index keys");
        Assert.That(main.Count + shared.Count, Is.EqualTo(0));
    }

    [Test]
    public void Truncate_drops_the_tail_and_later_appends_overwrite_it()
    {
        var pool = NewPool(KvCacheDType.Float32);
        var table = ScrambledTable(pool, pageCount: 3);
        var cache = new PagedLayerCache(pool, table, 0);
        var random = new Random(7);
        var first = Rows(random, 10, LatentDim);
        cache.Append(first, Rows(random, 10, IndexKeyDim));
        cache.Truncate(5);
        Assert.That(cache.Count, Is.EqualTo(5));
        Assert.That(cache.Latent.ToArray(), Is.EqualTo(first[..(5 * LatentDim)]));
        Assert.That(cache.IndexKeys.Length, Is.EqualTo(5 * IndexKeyDim));

        var replacement = Rows(random, 4, LatentDim);
        cache.Append(replacement, Rows(random, 4, IndexKeyDim));
        Assert.That(cache.Latent.ToArray(), Is.EqualTo(first[..(5 * LatentDim)].Concat(replacement)));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Truncate(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Truncate(-1));
        cache.Truncate(0);
        Assert.That(cache.Latent.Length, Is.EqualTo(0));
    }

    [Test]
    public void Adopt_exposes_rows_another_table_wrote_into_shared_pages()
    {
        var pool = NewPool(KvCacheDType.Float8E4M3);
        var writerTable = ScrambledTable(pool, pageCount: 3);
        var writer = new PagedLayerCache(pool, writerTable, 0);
        var random = new Random(8);
        var latent = Rows(random, 12, LatentDim);
        var keys = Rows(random, 12, IndexKeyDim);
        writer.Append(latent, keys);

        var readerTable = new PageTable(PageSize);
        foreach (int page in writerTable.Pages.Take(2))
        {
            pool.Retain(page);
            readerTable.Add(page);
        }
        var reader = new PagedLayerCache(pool, readerTable, 0);
        reader.Adopt(8);
        Assert.That(reader.Count, Is.EqualTo(8));
        Assert.That(reader.Latent.ToArray(), Is.EqualTo(Stored(KvCacheDType.Float8E4M3, latent.AsSpan(0, 8 * LatentDim), LatentDim)));
        Assert.That(reader.IndexKeys.ToArray(), Is.EqualTo(Stored(KvCacheDType.BFloat16, keys.AsSpan(0, 8 * IndexKeyDim), IndexKeyDim)));
        Assert.Throws<InvalidOperationException>(() => reader.Adopt(4), "only an empty cache adopts");

        var tooShort = new PagedLayerCache(pool, new PageTable(PageSize), 0);
        Assert.Throws<InvalidOperationException>(() => tooShort.Adopt(1), "no pages to adopt into");
        Assert.DoesNotThrow(() => tooShort.Adopt(0));
    }

    [Test]
    public void A_slot_without_index_keys_reads_an_empty_span()
    {
        var pool = NewPool(KvCacheDType.BFloat16);
        var table = ScrambledTable(pool, pageCount: 2);
        var shared = new PagedLayerCache(pool, table, slot: 1);
        Assert.That(shared.IndexKeyDim, Is.EqualTo(0));
        Assert.That(shared.LatentDim, Is.EqualTo(LatentDim));
        shared.Append(new float[5 * LatentDim], []);
        Assert.That(shared.Count, Is.EqualTo(5));
        Assert.That(shared.IndexKeys.Length, Is.EqualTo(0));
        Assert.That(shared.Latent.Length, Is.EqualTo(5 * LatentDim));
        Assert.That(pool.Layout.IndexRowBytes(1), Is.EqualTo(0));
        Assert.That(pool.Layout.PageBytes, Is.EqualTo(PageSize * (2 * KvRowCodec.RowBytes(KvCacheDType.BFloat16, LatentDim) + KvRowCodec.RowBytes(KvCacheDType.BFloat16, IndexKeyDim))));
    }
}
