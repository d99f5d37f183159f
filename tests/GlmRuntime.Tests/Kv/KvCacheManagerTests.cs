using GlmRuntime.Kv;

namespace GlmRuntime.Tests.Kv;

[TestFixture]
public sealed class KvCacheManagerTests
{
    private const int PageSize = 4;

    /// <summary>One float32 latent value per position; a second slot (the MTP layer) when pairs are keyed.</summary>
    private static KvCacheManager NewManager(int pageCount, bool prefix = true, bool pairKeys = false, int pageSize = PageSize) =>
        new(new KvPageLayout(pageSize, KvCacheDType.Float32, latentDim: 1, indexKeyDims: pairKeys ? [0, 0] : [0]), pageCount, prefix, pairKeys);

    /// <summary>A stand-in for the KV at a position: a hash of every token it depends on, exact in float32.</summary>
    private static float RowValue(IReadOnlyList<int> tokens, int through)
    {
        int hash = 17;
        for (int i = 0; i <= through; i++)
            hash = unchecked(hash * 31 + tokens[i]);
        return hash & 0xFFFFF;
    }

    /// <summary>Reserves and "computes" positions up to <paramref name="count"/>: main rows depend on tokens 0..p, MTP rows on 0..p+1.</summary>
    private static void Compute(KvCacheManager kv, KvSequence sequence, IReadOnlyList<int> tokens, int count)
    {
        Assert.That(kv.TryReserve(sequence, count), $"reserve {count}");
        var main = sequence.Slots[0];
        for (int p = main.Count; p < count; p++)
            main.Append([RowValue(tokens, p)], []);
        if (kv.PairKeys)
        {
            var mtp = sequence.Slots[1];
            for (int p = mtp.Count; p < Math.Min(count, tokens.Count - 1); p++)
                mtp.Append([RowValue(tokens, p + 1)], []);
        }
    }

    private static void AssertRowsMatch(KvSequence sequence, IReadOnlyList<int> tokens)
    {
        var main = sequence.Slots[0].Latent.ToArray();
        for (int p = 0; p < main.Length; p++)
            Assert.That(main[p], Is.EqualTo(RowValue(tokens, p)), $"main row {p}");
        if (sequence.Slots.Length > 1)
        {
            var mtp = sequence.Slots[1].Latent.ToArray();
            for (int p = 0; p < mtp.Length; p++)
                Assert.That(mtp[p], Is.EqualTo(RowValue(tokens, p + 1)), $"MTP row {p}");
        }
    }

    private static int[] Tokens(int count, int seed = 0) => [.. Enumerable.Range(seed * 1000, count)];

    /// <summary>Runs a request to <paramref name="validCount"/> positions and frees it into the cache.</summary>
    private static KvSequence RunAndFree(KvCacheManager kv, int[] tokens, int validCount)
    {
        var sequence = kv.CreateSequence();
        kv.Admit(sequence, tokens, tokens.Length);
        Compute(kv, sequence, tokens, validCount);
        kv.Free(sequence, tokens, validCount, cache: true);
        kv.Pool.CheckAccounting();
        return sequence;
    }

    [Test]
    public void Admit_adopts_the_cached_pages_and_pins_them()
    {
        var kv = NewManager(pageCount: 6);
        var tokens = Tokens(10);
        var first = kv.CreateSequence();
        Assert.That(kv.Admit(first, tokens, 10), Is.EqualTo(0));
        Compute(kv, first, tokens, 10);
        var firstPages = first.Table.Pages.ToArray();
        kv.Free(first, tokens, 10, cache: true);
        Assert.That((kv.Pool.CachedOnlyCount, kv.Pool.FreeCount), Is.EqualTo((2, 4)), "two whole pages cached, the partial third freed");

        var peek = kv.Peek(tokens)!.Value;
        Assert.That((peek.PageCount, peek.ReclaimablePageCount), Is.EqualTo((2, 2)));

        var second = kv.CreateSequence();
        Assert.That(kv.Admit(second, tokens, 10), Is.EqualTo(8));
        Assert.That(second.Table.Pages, Is.EqualTo(firstPages[..2]));
        Assert.That(second.Length, Is.EqualTo(8));
        Assert.That(second.LockedNode, Is.Not.Null);
        Assert.That((kv.Pool.InUseCount, kv.Pool.CachedOnlyCount), Is.EqualTo((2, 0)));
        AssertRowsMatch(second, tokens);

        Assert.That(kv.Prefix!.Evict(100), Is.EqualTo(0), "pinned pages cannot be evicted");
        var other = kv.CreateSequence();
        Assert.That(kv.TryReserve(other, 5 * PageSize), Is.False, "only four pages are free");
        Assert.That(other.Table.PageCount, Is.EqualTo(0));

        Compute(kv, second, tokens, 10);
        AssertRowsMatch(second, tokens);
        kv.Free(second, tokens, 10, cache: true);
        Assert.That(kv.Prefix.Root.LockCount, Is.EqualTo(0));
        Assert.That(second.LockedNode, Is.Null);
        Assert.That((kv.Pool.CachedOnlyCount, kv.Pool.FreeCount), Is.EqualTo((2, 4)));
        var started = kv.CreateSequence();
        kv.TryReserve(started, 1);
        Assert.Throws<InvalidOperationException>(() => kv.Admit(started, tokens, 10), "only an empty sequence adopts a prefix");
    }

    [Test]
    public void Reuse_is_whole_pages_and_never_the_last_token()
    {
        var kv = NewManager(pageCount: 8);
        var tokens = Tokens(12);
        RunAndFree(kv, tokens, 12);
        Assert.That(kv.Prefix!.PageCount, Is.EqualTo(3));

        Assert.That(kv.Admit(kv.CreateSequence(), tokens[..8], 8), Is.EqualTo(4), "an 8-token prompt must compute its 8th token");
        Assert.That(kv.Admit(kv.CreateSequence(), tokens[..9], 9), Is.EqualTo(8));
        Assert.That(kv.Admit(kv.CreateSequence(), tokens, 12), Is.EqualTo(8));
        Assert.That(kv.Admit(kv.CreateSequence(), tokens[..1], 1), Is.EqualTo(0));
        Assert.That(kv.Peek(tokens[..4])!.Value.PageCount, Is.EqualTo(0));
    }

    [Test]
    public void A_130_token_prompt_with_64_token_pages_reuses_128_tokens()
    {
        var kv = NewManager(pageCount: 8, pageSize: 64);
        var tokens = Tokens(192);
        RunAndFree(kv, tokens, 192);
        var sequence = kv.CreateSequence();
        Assert.That(kv.Admit(sequence, tokens[..130], 130), Is.EqualTo(128));
        Assert.That(kv.Prefix!.QueriedTokenCount, Is.EqualTo(192 + 130));
        Assert.That(kv.Prefix.HitTokenCount, Is.EqualTo(128));
        Compute(kv, sequence, tokens[..130], 130);
        AssertRowsMatch(sequence, tokens[..130]);
    }

    [Test]
    public void Try_reserve_evicts_cached_only_pages_when_the_free_list_is_empty()
    {
        var kv = NewManager(pageCount: 4);
        RunAndFree(kv, Tokens(4, seed: 1), 4);
        RunAndFree(kv, Tokens(4, seed: 2), 4);
        RunAndFree(kv, Tokens(4, seed: 3), 4);
        RunAndFree(kv, Tokens(4, seed: 4), 4);
        Assert.That((kv.Pool.FreeCount, kv.Pool.CachedOnlyCount), Is.EqualTo((0, 4)));

        var sequence = kv.CreateSequence();
        Assert.That(kv.TryReserve(sequence, 2 * PageSize), Is.True);
        Assert.That(sequence.Table.PageCount, Is.EqualTo(2));
        Assert.That((kv.Pool.FreeCount, kv.Pool.InUseCount, kv.Pool.CachedOnlyCount), Is.EqualTo((0, 2, 2)));
        Assert.That(kv.Peek(Tokens(5, seed: 1))!.Value.PageCount, Is.EqualTo(0), "the oldest went first");
        Assert.That(kv.Peek(Tokens(5, seed: 2))!.Value.PageCount, Is.EqualTo(0));
        Assert.That(kv.Peek(Tokens(5, seed: 4))!.Value.PageCount, Is.EqualTo(1));
        Assert.That(kv.TryReserve(sequence, 2 * PageSize), Is.True, "already held");

        var starved = kv.CreateSequence();
        Assert.That(kv.TryReserve(starved, 3 * PageSize), Is.False);
        Assert.That(starved.Table.PageCount, Is.EqualTo(0));
        Assert.That((kv.Pool.FreeCount, kv.Pool.InUseCount, kv.Pool.CachedOnlyCount), Is.EqualTo((0, 2, 2)), "a failed reservation evicts nothing");
        Assert.That(kv.TryReserve(starved, 2 * PageSize), Is.True);
        Assert.That((kv.Pool.FreeCount, kv.Pool.InUseCount, kv.Pool.CachedOnlyCount), Is.EqualTo((0, 4, 0)));
        Assert.That(kv.TryReserve(kv.CreateSequence(), 1), Is.False);
        kv.Pool.CheckAccounting();
    }

    [Test]
    public void Free_caches_the_valid_whole_pages_and_releases_the_rest()
    {
        var kv = NewManager(pageCount: 8);
        var tokens = Tokens(11);
        var sequence = kv.CreateSequence();
        kv.Admit(sequence, tokens, 11);
        Compute(kv, sequence, tokens, 7); // preempted halfway through its prompt
        Assert.That(kv.TryReserve(sequence, 11));
        Assert.That(sequence.Table.PageCount, Is.EqualTo(3));
        var pages = sequence.Table.Pages.ToArray();
        kv.Free(sequence, tokens, 7, cache: true);
        Assert.That(pages.Select(kv.Pool.IsCached), Is.EqualTo(new[] { true, false, false }), "only the first page was filled");
        Assert.That((kv.Pool.FreeCount, kv.Pool.CachedOnlyCount), Is.EqualTo((7, 1)));
        Assert.That(sequence.Table.PageCount, Is.EqualTo(0));
        Assert.That(sequence.Length, Is.EqualTo(0));

        var uncached = kv.CreateSequence();
        kv.Admit(uncached, Tokens(9, seed: 5), 9);
        Compute(kv, uncached, Tokens(9, seed: 5), 9);
        kv.Free(uncached, Tokens(9, seed: 5), 9, cache: false);
        Assert.That((kv.Pool.FreeCount, kv.Pool.CachedOnlyCount), Is.EqualTo((7, 1)), "cache: false releases everything");
        kv.Pool.CheckAccounting();
    }

    [Test]
    public void Without_a_prefix_cache_nothing_is_reused_or_kept()
    {
        var kv = NewManager(pageCount: 4, prefix: false);
        var tokens = Tokens(9);
        Assert.That(kv.Prefix, Is.Null);
        Assert.That(kv.Peek(tokens), Is.Null);
        RunAndFree(kv, tokens, 9);
        Assert.That(kv.Pool.FreeCount, Is.EqualTo(4));
        Assert.That(kv.Admit(kv.CreateSequence(), tokens, 9), Is.EqualTo(0));
    }

    [Test]
    public void Releasable_pages_exclude_pages_another_sequence_holds()
    {
        var kv = NewManager(pageCount: 8);
        var tokens = Tokens(10);
        RunAndFree(kv, tokens, 10);

        var a = kv.CreateSequence();
        var b = kv.CreateSequence();
        kv.Admit(a, tokens, 10);
        kv.Admit(b, tokens, 10);
        Compute(kv, a, tokens, 10);
        Compute(kv, b, tokens, 10);
        Assert.That(kv.ReleasablePageCount(a), Is.EqualTo(1));
        Assert.That(kv.ReleasablePageCount(b), Is.EqualTo(1));

        int before = kv.Pool.AvailableCount;
        kv.Free(a, tokens, 10, cache: true);
        Assert.That(kv.Pool.AvailableCount - before, Is.EqualTo(1));
        Assert.That(kv.ReleasablePageCount(b), Is.EqualTo(3));

        before = kv.Pool.AvailableCount;
        kv.Free(b, tokens, 10, cache: true);
        Assert.That(kv.Pool.AvailableCount - before, Is.EqualTo(3), "freeing gives back exactly the releasable pages");
        Assert.That(kv.Pool.AvailableCount, Is.EqualTo(8));
    }

    [Test]
    public void Pair_keys_tell_apart_prompts_that_differ_only_after_a_page_boundary()
    {
        var tokens = Tokens(9);
        var variant = (int[])tokens.Clone();
        variant[4] = -1; // the first token of the second page

        var plain = NewManager(pageCount: 8);
        RunAndFree(plain, tokens, 9);
        Assert.That(plain.Peek(variant)!.Value.PageCount, Is.EqualTo(1), "token keys: the first page is identical");

        var paired = NewManager(pageCount: 8, pairKeys: true);
        RunAndFree(paired, tokens, 9);
        Assert.That(paired.Prefix!.PageCount, Is.EqualTo(2), "nine tokens give eight pairs");
        Assert.That(paired.Peek(variant)!.Value.PageCount, Is.EqualTo(0), "the MTP row at position 3 depends on token 4");
        var again = paired.CreateSequence();
        Assert.That(paired.Admit(again, tokens, 9), Is.EqualTo(8));
        AssertRowsMatch(again, tokens);
    }

    [Test]
    public void Pair_keys_cache_a_page_only_once_the_token_after_it_is_known()
    {
        var kv = NewManager(pageCount: 8, pairKeys: true);
        var tokens = Tokens(8);
        RunAndFree(kv, tokens, 8);
        Assert.That(kv.Prefix!.PageCount, Is.EqualTo(1), "the MTP row at position 7 needs token 8");
        Assert.That(kv.Admit(kv.CreateSequence(), Tokens(12), 12), Is.EqualTo(4));
    }

    [Test]
    public void Random_requests_keep_the_accounting_the_locks_and_the_reused_rows_right(
        [Values] bool pairKeys, [Values(6, 24)] int pageCount, [Range(1, 4)] int seed)
    {
        var kv = NewManager(pageCount, pairKeys: pairKeys);
        var random = new Random(seed);
        var live = new List<(KvSequence Sequence, int[] Tokens)>();
        for (int step = 0; step < 3000; step++)
        {
            if (live.Count < 4 && random.Next(2) == 0)
            {
                // Prompts from a tiny alphabet share prefixes often.
                var tokens = Enumerable.Range(0, random.Next(1, 22)).Select(_ => random.Next(2)).ToArray();
                var sequence = kv.CreateSequence();
                int cached = kv.Admit(sequence, tokens, tokens.Length);
                Assert.That(cached % PageSize, Is.EqualTo(0));
                Assert.That(cached, Is.LessThan(tokens.Length));
                AssertRowsMatch(sequence, tokens);
                live.Add((sequence, tokens));
            }
            else if (live.Count > 0)
            {
                int at = random.Next(live.Count);
                var (sequence, tokens) = live[at];
                int target = Math.Min(tokens.Length, sequence.Length + random.Next(1, 9));
                if (random.Next(4) > 0 && kv.TryReserve(sequence, target))
                {
                    Compute(kv, sequence, tokens, target);
                    AssertRowsMatch(sequence, tokens);
                }
                else
                {
                    int valid = pairKeys ? Math.Min(sequence.Slots[0].Count, sequence.Slots[1].Count) : sequence.Length;
                    kv.Free(sequence, tokens, valid, cache: random.Next(5) > 0);
                    live.RemoveAt(at);
                }
            }
            kv.Pool.CheckAccounting();
            CheckTree(kv, live.Select(l => l.Sequence));
        }
    }

    /// <summary>Lock counts equal the sequences pinned at or below each node; the tree's pages are exactly the cached pages; pinned pages are held.</summary>
    private static void CheckTree(KvCacheManager kv, IEnumerable<KvSequence> live)
    {
        var prefix = kv.Prefix!;
        var locks = new Dictionary<PrefixNode, int>();
        foreach (var sequence in live)
        {
            for (var n = sequence.LockedNode; n is not null; n = n.Parent)
                locks[n] = locks.GetValueOrDefault(n) + 1;
        }
        var treePages = new List<int>();
        var stack = new Stack<PrefixNode>([prefix.Root]);
        while (stack.TryPop(out var node))
        {
            Assert.That(node.LockCount, Is.EqualTo(locks.GetValueOrDefault(node)), "lock count");
            if (node != prefix.Root)
            {
                Assert.That(node.Keys.Length, Is.EqualTo(node.Pages.Length * PageSize));
                Assert.That(node.Pages.Length, Is.GreaterThan(0));
                treePages.AddRange(node.Pages);
                if (node.LockCount > 0)
                    Assert.That(node.Pages.All(p => kv.Pool.RefCount(p) > 0), "a pinned page is held");
            }
            foreach (var child in node.Children)
            {
                Assert.That(child.Parent, Is.SameAs(node));
                stack.Push(child);
            }
        }
        Assert.That(treePages, Is.Unique);
        Assert.That(treePages.Count, Is.EqualTo(prefix.PageCount));
        Assert.That(treePages.Order(), Is.EqualTo(Enumerable.Range(0, kv.Pool.TotalCount).Where(kv.Pool.IsCached)));
    }
}
