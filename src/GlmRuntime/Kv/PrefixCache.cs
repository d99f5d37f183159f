namespace GlmRuntime.Kv;

/// <summary>
/// sglang's RadixAttention over pages: a radix tree keyed by page-aligned runs of keys (one key per position:
/// the token, or the pair (token, next token) when the MTP layer is cached, because an MTP row depends on the
/// next token). Lookup returns the pages of the longest cached prefix; requests lock the node they reuse so its
/// path cannot be evicted; finished (and preempted) requests insert their pages; when pages run short the
/// least recently used unlocked leaves are evicted first. Not thread-safe: the engine loop owns it.
/// </summary>
internal sealed class PrefixCache(PagePool pool)
{
    private readonly int _pageSize = pool.Layout.PageSize;
    private long _clock;

    public PrefixNode Root { get; } = new(null, [], []);

    /// <summary>Pages the tree holds.</summary>
    public int PageCount { get; private set; }

    /// <summary>Prompt tokens looked up on admission (vLLM's prefix_cache_queries).</summary>
    public long QueriedTokenCount { get; private set; }

    /// <summary>Prompt tokens found (vLLM's prefix_cache_hits).</summary>
    public long HitTokenCount { get; private set; }

    /// <summary>The longest cached page-aligned prefix of <paramref name="keys"/>, at most <paramref name="maxPages"/> pages, without changing the tree.</summary>
    public PrefixMatch Peek(ReadOnlySpan<long> keys, int maxPages = int.MaxValue) => Walk(keys, maxPages, split: false);

    /// <summary>
    /// Looks up <paramref name="keys"/> (at most <paramref name="maxPages"/> pages), splits the node where the match
    /// ends so the boundary is a node, locks the path, refreshes its access time and counts the query.
    /// <paramref name="queriedTokens"/> is the prompt length the hit rate is measured against.
    /// </summary>
    public PrefixMatch MatchAndLock(ReadOnlySpan<long> keys, int maxPages, int queriedTokens)
    {
        var match = Walk(keys, maxPages, split: true);
        Lock(match.Node);
        QueriedTokenCount += queriedTokens;
        HitTokenCount += match.PageCount * _pageSize;
        return match;
    }

    /// <summary>Pins the path from <paramref name="node"/> to the root.</summary>
    public void Lock(PrefixNode node)
    {
        for (var n = node; n is not null; n = n.Parent)
            n.LockCount++;
    }

    /// <summary>Releases a <see cref="Lock"/>.</summary>
    public void Unlock(PrefixNode node)
    {
        for (var n = node; n is not null; n = n.Parent)
        {
            if (n.LockCount <= 0)
                throw new InvalidOperationException("Prefix-cache node unlocked more often than locked.");
            n.LockCount--;
        }
    }

    /// <summary>
    /// Adds <paramref name="keys"/> (pages.Count × page size of them) held by <paramref name="pages"/>. The part
    /// already in the tree is left as it is (the caller's copies of those pages stay the caller's); the rest
    /// becomes a new leaf owning the caller's pages. Returns the pages newly cached.
    /// </summary>
    public int Insert(ReadOnlySpan<long> keys, IReadOnlyList<int> pages) => Insert(keys, pages, out _, out _);

    /// <summary>
    /// <see cref="Insert(ReadOnlySpan{long}, IReadOnlyList{int})"/>, also returning the node the keys end in and
    /// whether every page from the root to it is the caller's own (then the caller may lock it instead of its
    /// admission node, since its page table holds that whole path).
    /// </summary>
    public int Insert(ReadOnlySpan<long> keys, IReadOnlyList<int> pages, out PrefixNode end, out bool ownPath)
    {
        if (keys.Length != pages.Count * _pageSize)
            throw new ArgumentException($"{keys.Length} keys do not fill {pages.Count} pages of {_pageSize}.", nameof(keys));
        var match = Walk(keys, pages.Count, split: true);
        int matched = match.PageCount;
        ownPath = true;
        for (int i = 0; i < matched; i++)
            ownPath &= match.Pages[i] == pages[i];
        end = match.Node;
        if (matched == pages.Count)
            return 0;
        var tail = new int[pages.Count - matched];
        for (int i = 0; i < tail.Length; i++)
        {
            tail[i] = pages[matched + i];
            pool.MarkCached(tail[i]);
        }
        var leaf = new PrefixNode(match.Node, keys[(matched * _pageSize)..].ToArray(), tail) { LastAccess = ++_clock };
        match.Node.Children.Add(leaf);
        PageCount += tail.Length;
        end = leaf;
        return tail.Length;
    }

    /// <summary>
    /// Frees <paramref name="pageCount"/> pages (or all it can) from unlocked leaves, least recently used first.
    /// A leaf gives up its last pages first and is removed only when all are gone, so the start of a long
    /// cached prefix survives pressure that only needs a few pages. Returns the pages freed.
    /// </summary>
    public int Evict(int pageCount)
    {
        var heap = new PriorityQueue<PrefixNode, long>();
        Collect(Root, heap);
        int freed = 0;
        while (freed < pageCount && heap.TryDequeue(out var leaf, out _))
        {
            // An unlocked leaf whose pages a running request still holds (it computed them alongside another
            // request's copy) frees nothing; leave it until that request is done.
            if (leaf.Pages.Any(page => pool.RefCount(page) > 0))
                continue;
            int take = Math.Min(leaf.Pages.Length, pageCount - freed);
            for (int i = leaf.Pages.Length - take; i < leaf.Pages.Length; i++)
                pool.Uncache(leaf.Pages[i]);
            freed += take;
            PageCount -= take;
            if (take < leaf.Pages.Length)
            {
                leaf.Pages = leaf.Pages[..^take];
                leaf.Keys = leaf.Keys[..(leaf.Pages.Length * _pageSize)];
                continue;
            }
            var parent = leaf.Parent!;
            parent.Children.Remove(leaf);
            leaf.Parent = null;
            if (parent.IsEvictable)
                heap.Enqueue(parent, parent.LastAccess);
        }
        return freed;
    }

    private void Collect(PrefixNode node, PriorityQueue<PrefixNode, long> heap)
    {
        if (node.IsEvictable)
            heap.Enqueue(node, node.LastAccess);
        foreach (var child in node.Children)
            Collect(child, heap);
    }

    private PrefixMatch Walk(ReadOnlySpan<long> keys, int maxPages, bool split)
    {
        int limit = Math.Min(keys.Length / _pageSize, maxPages) * _pageSize;
        keys = keys[..limit];
        var pages = new List<int>();
        var node = Root;
        int position = 0, reclaimable = 0;
        long now = split ? ++_clock : 0;
        while (position < keys.Length)
        {
            var child = ChildStartingWith(node, keys.Slice(position, _pageSize));
            if (child is null)
                break;
            int common = _pageSize; // whole pages in common
            while (common < child.Keys.Length && position + common < keys.Length
                   && keys.Slice(position + common, _pageSize).SequenceEqual(child.Keys.AsSpan(common, _pageSize)))
                common += _pageSize;
            if (common < child.Keys.Length)
            {
                if (!split)
                {
                    AddPages(child.Pages.AsSpan(0, common / _pageSize), pages, ref reclaimable);
                    break;
                }
                child = Split(child, common);
            }
            AddPages(child.Pages, pages, ref reclaimable);
            if (split)
                child.LastAccess = now;
            node = child;
            position += common;
        }
        return new PrefixMatch(pages, node, reclaimable);
    }

    private void AddPages(ReadOnlySpan<int> nodePages, List<int> pages, ref int reclaimable)
    {
        foreach (int page in nodePages)
        {
            pages.Add(page);
            if (pool.RefCount(page) == 0)
                reclaimable++;
        }
    }

    private PrefixNode? ChildStartingWith(PrefixNode node, ReadOnlySpan<long> firstPage)
    {
        foreach (var child in node.Children)
        {
            if (child.Keys.AsSpan(0, _pageSize).SequenceEqual(firstPage))
                return child;
        }
        return null;
    }

    /// <summary>Cuts <paramref name="node"/> after <paramref name="keyCount"/> keys; returns the new upper node.</summary>
    private static PrefixNode Split(PrefixNode node, int keyCount)
    {
        int pageSize = node.Keys.Length / node.Pages.Length;
        var parent = node.Parent!;
        var upper = new PrefixNode(parent, node.Keys[..keyCount], node.Pages[..(keyCount / pageSize)])
        {
            LockCount = node.LockCount,
            LastAccess = node.LastAccess,
        };
        parent.Children[parent.Children.IndexOf(node)] = upper;
        upper.Children.Add(node);
        node.Parent = upper;
        node.Keys = node.Keys[keyCount..];
        node.Pages = node.Pages[(keyCount / pageSize)..];
        return upper;
    }
}
