using GlmRuntime.Kv;

namespace GlmRuntime.Tests.Kv;

[TestFixture]
public sealed class PrefixCacheTests
{
    private const int PageSize = 4;

    private static PagePool NewPool(int pageCount = 32, int pageSize = PageSize) =>
        new(new KvPageLayout(pageSize, KvCacheDType.Float32, latentDim: 1, indexKeyDims: [0]), pageCount);

    /// <summary>Keys of whole pages: page label L holds the keys L·100 … L·100 + 3.</summary>
    private static long[] K(params int[] pageLabels) =>
        [.. pageLabels.SelectMany(label => Enumerable.Range(0, PageSize).Select(i => label * 100L + i))];

    /// <summary>Inserts keys the way a finishing request does: fresh pages, insert, then release its references.</summary>
    private static int[] Cache(PrefixCache cache, PagePool pool, long[] keys, int expectedNew = -1)
    {
        var pages = new int[keys.Length / pool.Layout.PageSize];
        for (int i = 0; i < pages.Length; i++)
            Assert.That(pool.TryAllocate(out pages[i]));
        int added = cache.Insert(keys, pages);
        if (expectedNew >= 0)
            Assert.That(added, Is.EqualTo(expectedNew));
        foreach (int page in pages)
            pool.Release(page);
        pool.CheckAccounting();
        return pages;
    }

    private static IEnumerable<PrefixNode> Nodes(PrefixNode node) => node.Children.SelectMany(c => Nodes(c).Prepend(c));

    [Test]
    public void An_empty_cache_matches_nothing_at_the_root()
    {
        var cache = new PrefixCache(NewPool());
        var match = cache.Peek(K(1, 2));
        Assert.That(match.PageCount, Is.EqualTo(0));
        Assert.That(match.Node, Is.SameAs(cache.Root));
        Assert.That(cache.Evict(10), Is.EqualTo(0));
    }

    [Test]
    public void Peek_matches_whole_pages_only_and_at_most_max_pages()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        var pages = Cache(cache, pool, K(1, 2, 3), expectedNew: 3);
        Assert.That(cache.PageCount, Is.EqualTo(3));

        Assert.That(cache.Peek(K(1, 2, 3)).Pages, Is.EqualTo(pages));
        Assert.That(cache.Peek(K(1, 2, 3, 4)).Pages, Is.EqualTo(pages));
        Assert.That(cache.Peek(K(1, 2, 3), maxPages: 2).Pages, Is.EqualTo(pages[..2]));
        Assert.That(cache.Peek(K(1, 2, 3)[..11]).Pages, Is.EqualTo(pages[..2]), "a partial last page is never matched");
        Assert.That(cache.Peek(K(1, 9, 3)).Pages, Is.EqualTo(pages[..1]));
        Assert.That(cache.Peek(K(2, 1)).PageCount, Is.EqualTo(0));

        var almost = K(1, 2, 3);
        almost[6]++; // differs inside page 2
        Assert.That(cache.Peek(almost).Pages, Is.EqualTo(pages[..1]));
        Assert.That(cache.Peek(almost).ReclaimablePageCount, Is.EqualTo(1), "nobody holds the matched page");
    }

    [Test]
    public void A_130_token_prompt_with_64_token_pages_matches_two_pages()
    {
        var pool = NewPool(pageSize: 64);
        var cache = new PrefixCache(pool);
        long[] keys = [.. Enumerable.Range(0, 192).Select(i => (long)i)];
        Cache(cache, pool, keys, expectedNew: 3);
        Assert.That(cache.Peek(keys.AsSpan(0, 130)).PageCount, Is.EqualTo(2));
        Assert.That(cache.Peek(keys.AsSpan(0, 127)).PageCount, Is.EqualTo(1));
        Assert.That(cache.Peek(keys.AsSpan(0, 63)).PageCount, Is.EqualTo(0));
    }

    [Test]
    public void Peek_leaves_the_tree_and_the_counters_unchanged()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        Cache(cache, pool, K(1, 2, 3));
        var node = cache.Root.Children.Single();
        long access = node.LastAccess;
        cache.Peek(K(1, 2));
        Assert.That(cache.Root.Children.Single(), Is.SameAs(node));
        Assert.That(node.Children, Is.Empty);
        Assert.That(node.Pages.Length, Is.EqualTo(3));
        Assert.That(node.LastAccess, Is.EqualTo(access));
        Assert.That((cache.QueriedTokenCount, cache.HitTokenCount), Is.EqualTo((0L, 0L)));
    }

    [Test]
    public void Matching_inside_a_node_splits_it_and_both_halves_stay_reachable()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        var pages = Cache(cache, pool, K(1, 2, 3, 4));
        var whole = cache.Root.Children.Single();

        var match = cache.MatchAndLock(K(1, 2, 7), maxPages: 3, queriedTokens: 12);
        Assert.That(match.Pages, Is.EqualTo(pages[..2]));
        var upper = cache.Root.Children.Single();
        Assert.That(match.Node, Is.SameAs(upper));
        Assert.That(upper.Keys, Is.EqualTo(K(1, 2)));
        Assert.That(upper.Pages, Is.EqualTo(pages[..2]));
        Assert.That(upper.Children.Single(), Is.SameAs(whole), "the old node becomes the lower half");
        Assert.That(whole.Parent, Is.SameAs(upper));
        Assert.That(whole.Keys, Is.EqualTo(K(3, 4)));
        Assert.That(whole.Pages, Is.EqualTo(pages[2..]));
        Assert.That((upper.LockCount, whole.LockCount, cache.Root.LockCount), Is.EqualTo((1, 0, 1)));

        Assert.That(cache.Peek(K(1, 2, 3, 4)).Pages, Is.EqualTo(pages));
        Assert.That(cache.PageCount, Is.EqualTo(4));

        cache.Unlock(match.Node);
        Assert.That(Nodes(cache.Root).Append(cache.Root).All(n => n.LockCount == 0));
        Assert.Throws<InvalidOperationException>(() => cache.Unlock(match.Node));
    }

    [Test]
    public void Splitting_a_locked_node_keeps_every_lock_count_right()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        Cache(cache, pool, K(1, 2, 3, 4));
        var deep = cache.MatchAndLock(K(1, 2, 3, 4, 5), maxPages: 5, queriedTokens: 20);
        Assert.That(deep.PageCount, Is.EqualTo(4));
        var shallow = cache.MatchAndLock(K(1, 2, 8), maxPages: 3, queriedTokens: 12);
        Assert.That(shallow.PageCount, Is.EqualTo(2));
        Assert.That(deep.Node.Parent, Is.SameAs(shallow.Node));
        Assert.That((shallow.Node.LockCount, deep.Node.LockCount, cache.Root.LockCount), Is.EqualTo((2, 1, 2)));

        cache.Unlock(deep.Node);
        Assert.That((shallow.Node.LockCount, deep.Node.LockCount, cache.Root.LockCount), Is.EqualTo((1, 0, 1)));
        Assert.That(cache.Evict(10), Is.EqualTo(2), "the unlocked lower half goes, the locked upper half stays");
        Assert.That(cache.Peek(K(1, 2, 3, 4)).PageCount, Is.EqualTo(2));
        cache.Unlock(shallow.Node);
        Assert.That(cache.Root.LockCount, Is.EqualTo(0));
        Assert.That(cache.Evict(10), Is.EqualTo(2));
        Assert.That(cache.PageCount, Is.EqualTo(0));
        Assert.That(pool.FreeCount, Is.EqualTo(pool.TotalCount));
    }

    [Test]
    public void Inserting_a_cached_prefix_adds_nothing_and_leaves_the_callers_pages_its_own()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        var original = Cache(cache, pool, K(1, 2), expectedNew: 2);

        var duplicate = new int[2];
        pool.TryAllocate(out duplicate[0]);
        pool.TryAllocate(out duplicate[1]);
        Assert.That(cache.Insert(K(1, 2), duplicate), Is.EqualTo(0));
        Assert.That(duplicate.Any(pool.IsCached), Is.False);
        Assert.That(cache.Peek(K(1, 2)).Pages, Is.EqualTo(original));
        foreach (int page in duplicate)
            pool.Release(page);
        Assert.That(pool.CachedOnlyCount, Is.EqualTo(2));
        Assert.That(pool.FreeCount, Is.EqualTo(pool.TotalCount - 2), "the duplicates went back to the free list");

        // An extension caches only its new tail.
        var extended = new int[3];
        for (int i = 0; i < 3; i++)
            pool.TryAllocate(out extended[i]);
        Assert.That(cache.Insert(K(1, 2, 3), extended), Is.EqualTo(1));
        Assert.That(extended.Select(pool.IsCached), Is.EqualTo(new[] { false, false, true }));
        Assert.That(cache.Peek(K(1, 2, 3)).Pages, Is.EqualTo(original.Append(extended[2])));
        Assert.That(cache.PageCount, Is.EqualTo(3));
        foreach (int page in extended)
            pool.Release(page);
        pool.CheckAccounting();

        Assert.Throws<ArgumentException>(() => cache.Insert(K(1, 2)[..7], original), "keys must fill the pages");
    }

    [Test]
    public void Inserting_a_branch_splits_the_shared_node()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        var first = Cache(cache, pool, K(1, 2, 3));
        var second = Cache(cache, pool, K(1, 2, 9, 10), expectedNew: 2);
        var shared = cache.Root.Children.Single();
        Assert.That(shared.Keys, Is.EqualTo(K(1, 2)));
        Assert.That(shared.Children.Select(c => c.Keys[0]), Is.EquivalentTo(new[] { 300L, 900L }));
        Assert.That(cache.Peek(K(1, 2, 3)).Pages, Is.EqualTo(first));
        Assert.That(cache.Peek(K(1, 2, 9, 10)).Pages, Is.EqualTo(first[..2].Concat(second[2..])));
        Assert.That(pool.IsCached(second[0]) || pool.IsCached(second[1]), Is.False);
        Assert.That(cache.PageCount, Is.EqualTo(5));
        Assert.That(pool.CachedOnlyCount, Is.EqualTo(5));
    }

    [Test]
    public void Eviction_takes_least_recently_used_leaves_first_and_parents_after_their_children()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        var a = Cache(cache, pool, K(1, 2));         // one node [1 2]
        var b = Cache(cache, pool, K(1, 3));         // splits: [1] → {[2], [3]}; [1] refreshed
        var c = Cache(cache, pool, K(5));
        var d = Cache(cache, pool, K(6));
        cache.Unlock(cache.MatchAndLock(K(5), 1, 4).Node); // c is now the most recent

        // Leaves by age: [2] (first insert), [3], d, c; the parent [1] only once both children are gone.
        var expected = new[] { a[1], b[1], a[0], d[0], c[0] };
        foreach (int page in expected)
        {
            Assert.That(cache.Evict(1), Is.EqualTo(1));
            Assert.That(pool.IsCached(page), Is.False, $"page {page} should be the next evicted");
            Assert.That(cache.PageCount, Is.EqualTo(pool.CachedOnlyCount));
        }
        Assert.That(cache.PageCount, Is.EqualTo(0));
        Assert.That(pool.FreeCount, Is.EqualTo(pool.TotalCount));
    }

    [Test]
    public void Eviction_never_takes_a_locked_path()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        Cache(cache, pool, K(1, 2));
        Cache(cache, pool, K(1, 3));
        Cache(cache, pool, K(4, 5, 6));
        var match = cache.MatchAndLock(K(1, 2), 2, 8);
        foreach (int page in match.Pages)
            pool.Retain(page);

        Assert.That(cache.Evict(100), Is.EqualTo(4), "[3] and [4 5 6]");
        Assert.That(cache.Peek(K(1, 2)).PageCount, Is.EqualTo(2));
        Assert.That(cache.PageCount, Is.EqualTo(2));
        Assert.That(pool.InUseCount, Is.EqualTo(2));
        Assert.That(pool.FreeCount, Is.EqualTo(pool.TotalCount - 2));

        cache.Unlock(match.Node);
        foreach (int page in match.Pages)
            pool.Release(page);
        Assert.That(pool.CachedOnlyCount, Is.EqualTo(2));
        Assert.That(cache.Evict(1), Is.EqualTo(1), "[2] first: a child before its parent");
        Assert.That(cache.Evict(1), Is.EqualTo(1));
        Assert.That(pool.FreeCount, Is.EqualTo(pool.TotalCount));
        pool.CheckAccounting();
    }

    [Test]
    public void Evict_trims_a_leaf_from_its_tail_and_keeps_its_start_reachable()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        Cache(cache, pool, K(1, 2, 3));
        Cache(cache, pool, K(4, 5));
        Assert.That(cache.Evict(1), Is.EqualTo(1), "only what was asked");
        Assert.That(cache.Evict(0), Is.EqualTo(0));
        Assert.That(cache.PageCount, Is.EqualTo(4));
        Assert.That(cache.Peek(K(1, 2, 3)).PageCount, Is.EqualTo(2), "the oldest leaf lost its last page only");
        Assert.That(cache.Peek(K(4, 5)).PageCount, Is.EqualTo(2));
        pool.CheckAccounting();
    }

    [Test]
    public void Match_counts_queried_and_hit_tokens()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        Cache(cache, pool, K(1, 2));
        var hit = cache.MatchAndLock(K(1, 2, 3), maxPages: 2, queriedTokens: 13);
        var miss = cache.MatchAndLock(K(7), maxPages: 1, queriedTokens: 5);
        Assert.That(miss.Node, Is.SameAs(cache.Root));
        Assert.That(cache.QueriedTokenCount, Is.EqualTo(18));
        Assert.That(cache.HitTokenCount, Is.EqualTo(8));
        cache.Unlock(hit.Node);
        cache.Unlock(miss.Node);
        Assert.That(cache.Root.LockCount, Is.EqualTo(0));
    }

    [Test]
    public void Reclaimable_pages_are_the_matched_pages_nobody_holds()
    {
        var pool = NewPool();
        var cache = new PrefixCache(pool);
        var pages = Cache(cache, pool, K(1, 2, 3));
        var match = cache.MatchAndLock(K(1), 1, 4);
        pool.Retain(pages[0]);
        Assert.That(cache.Peek(K(1, 2, 3)).ReclaimablePageCount, Is.EqualTo(2));
        Assert.That(cache.Peek(K(1, 2, 3)).PageCount, Is.EqualTo(3));
        pool.Release(pages[0]);
        cache.Unlock(match.Node);
        Assert.That(cache.Peek(K(1, 2, 3)).ReclaimablePageCount, Is.EqualTo(3));
    }
}
