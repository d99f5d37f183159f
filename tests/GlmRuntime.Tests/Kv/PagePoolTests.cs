using GlmRuntime.Kv;

namespace GlmRuntime.Tests.Kv;

[TestFixture]
public sealed class PagePoolTests
{
    private static PagePool NewPool(int pageCount) =>
        new(new KvPageLayout(pageSize: 4, KvCacheDType.Float32, latentDim: 3, indexKeyDims: [2]), pageCount);

    private static void AssertCounts(PagePool pool, int free, int inUse, int cachedOnly)
    {
        pool.CheckAccounting();
        Assert.That((pool.FreeCount, pool.InUseCount, pool.CachedOnlyCount), Is.EqualTo((free, inUse, cachedOnly)));
        Assert.That(pool.AvailableCount, Is.EqualTo(free + cachedOnly));
    }

    [Test]
    public void A_new_pool_is_all_free_and_hands_out_low_ids_first()
    {
        var pool = NewPool(3);
        AssertCounts(pool, 3, 0, 0);
        var pages = new int[3];
        for (int i = 0; i < 3; i++)
            Assert.That(pool.TryAllocate(out pages[i]));
        Assert.That(pages, Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(pool.TryAllocate(out _), Is.False);
        AssertCounts(pool, 0, 3, 0);
        Assert.That(pool.RefCount(1), Is.EqualTo(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NewPool(0));
    }

    [Test]
    public void A_cached_page_outlives_its_page_tables_until_uncached()
    {
        var pool = NewPool(2);
        pool.TryAllocate(out int page);
        pool.MarkCached(page);
        AssertCounts(pool, 1, 1, 0);
        pool.Retain(page);
        pool.Release(page);
        AssertCounts(pool, 1, 1, 0);
        pool.Release(page);
        AssertCounts(pool, 1, 0, 1);
        Assert.That(pool.IsCached(page) && pool.RefCount(page) == 0);

        pool.Retain(page); // reused from the prefix cache
        AssertCounts(pool, 1, 1, 0);
        pool.Uncache(page); // evicted while held: stays in use
        AssertCounts(pool, 1, 1, 0);
        pool.Release(page);
        AssertCounts(pool, 2, 0, 0);

        pool.TryAllocate(out page);
        pool.MarkCached(page);
        pool.Release(page);
        pool.Uncache(page); // evicted when only the cache held it: free again
        AssertCounts(pool, 2, 0, 0);
    }

    [Test]
    public void Misuse_throws_and_leaves_the_counts_alone()
    {
        var pool = NewPool(2);
        Assert.Throws<InvalidOperationException>(() => pool.Release(0), "release of a free page");
        Assert.Throws<InvalidOperationException>(() => pool.Retain(0), "retain of a free page");
        Assert.Throws<InvalidOperationException>(() => pool.MarkCached(0), "cache of a free page");
        Assert.Throws<InvalidOperationException>(() => pool.Uncache(0), "uncache of an uncached page");
        pool.TryAllocate(out int page);
        pool.Release(page);
        Assert.Throws<InvalidOperationException>(() => pool.Release(page), "double release");
        pool.TryAllocate(out page);
        pool.MarkCached(page);
        Assert.Throws<InvalidOperationException>(() => pool.MarkCached(page), "double cache");
        pool.Release(page);
        Assert.Throws<InvalidOperationException>(() => pool.Release(page), "release of a cached-only page");
        pool.Uncache(page);
        Assert.Throws<InvalidOperationException>(() => pool.Uncache(page), "double uncache");
        AssertCounts(pool, 2, 0, 0);
    }

    [Test]
    public void Page_bytes_are_allocated_once_and_kept_across_reuse()
    {
        var pool = NewPool(1);
        pool.TryAllocate(out int page);
        var bytes = pool.Bytes(page);
        Assert.That(bytes.Length, Is.EqualTo(pool.Layout.PageBytes));
        bytes[0] = 42;
        pool.Release(page);
        pool.TryAllocate(out page);
        Assert.That(pool.Bytes(page)[0], Is.EqualTo(42));
        Assert.That(pool.LatentGather(10).Length, Is.EqualTo(10));
        Assert.That(pool.IndexGather(0).Length, Is.EqualTo(0));
    }

    [Test]
    public void Random_operations_keep_free_plus_in_use_plus_cached_only_equal_to_total()
    {
        const int pageCount = 12;
        var pool = NewPool(pageCount);
        var refs = new int[pageCount];
        var cached = new bool[pageCount];
        var random = new Random(20240601);
        for (int step = 0; step < 20_000; step++)
        {
            int page = random.Next(pageCount);
            bool valid;
            switch (random.Next(5))
            {
                case 0:
                    bool expected = Enumerable.Range(0, pageCount).Any(p => refs[p] == 0 && !cached[p]);
                    Assert.That(pool.TryAllocate(out int got), Is.EqualTo(expected), $"step {step}: allocate");
                    if (expected)
                    {
                        Assert.That(refs[got] == 0 && !cached[got], $"step {step}: page {got} was not free");
                        refs[got] = 1;
                    }
                    break;
                case 1:
                    valid = refs[page] > 0 || cached[page];
                    Check(() => pool.Retain(page), valid, step);
                    if (valid) refs[page]++;
                    break;
                case 2:
                    valid = refs[page] > 0;
                    Check(() => pool.Release(page), valid, step);
                    if (valid) refs[page]--;
                    break;
                case 3:
                    valid = refs[page] > 0 && !cached[page];
                    Check(() => pool.MarkCached(page), valid, step);
                    if (valid) cached[page] = true;
                    break;
                default:
                    valid = cached[page];
                    Check(() => pool.Uncache(page), valid, step);
                    if (valid) cached[page] = false;
                    break;
            }
            int inUse = refs.Count(r => r > 0);
            int cachedOnly = Enumerable.Range(0, pageCount).Count(p => refs[p] == 0 && cached[p]);
            AssertCounts(pool, pageCount - inUse - cachedOnly, inUse, cachedOnly);
            Assert.That(pool.RefCount(page), Is.EqualTo(refs[page]));
            Assert.That(pool.IsCached(page), Is.EqualTo(cached[page]));
        }

        static void Check(TestDelegate operation, bool valid, int step)
        {
            if (valid)
                Assert.DoesNotThrow(operation, $"step {step}");
            else
                Assert.Throws<InvalidOperationException>(operation, $"step {step}");
        }
    }
}
