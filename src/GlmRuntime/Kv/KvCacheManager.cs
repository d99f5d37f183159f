namespace GlmRuntime.Kv;

/// <summary>
/// The engine's KV memory (nano-vllm's block manager): the <see cref="PagePool"/>, the optional
/// <see cref="PrefixCache"/>, and the request-level operations on them: look up and adopt a cached prefix on
/// admission, reserve pages before a step (evicting cached-only pages when the free list runs dry), and on finish
/// or preemption insert the computed pages into the prefix cache and release the rest.
/// </summary>
internal sealed class KvCacheManager
{
    private readonly int _pageSize;

    /// <param name="layout">Page layout.</param>
    /// <param name="pageCount">Pages in the pool.</param>
    /// <param name="enablePrefixCache">Keep a prefix cache.</param>
    /// <param name="pairKeys">Key positions by (token, next token): set when the MTP layer's rows are cached, since they depend on the next token.</param>
    public KvCacheManager(KvPageLayout layout, int pageCount, bool enablePrefixCache, bool pairKeys)
    {
        Pool = new PagePool(layout, pageCount);
        Prefix = enablePrefixCache ? new PrefixCache(Pool) : null;
        PairKeys = pairKeys;
        _pageSize = layout.PageSize;
    }

    public PagePool Pool { get; }

    public PrefixCache? Prefix { get; }

    public bool PairKeys { get; }

    public KvPageLayout Layout => Pool.Layout;

    public KvSequence CreateSequence() => new(Pool);

    /// <summary>The cached prefix a request with these tokens would reuse now (at most all but its last token).</summary>
    public PrefixMatch? Peek(IReadOnlyList<int> tokens) =>
        Prefix?.Peek(Keys(tokens, tokens.Count), MaxReusablePages(tokens.Count));

    /// <summary>
    /// Adopts the cached prefix of <paramref name="tokens"/> into the (empty) <paramref name="sequence"/>: retains
    /// its pages, pins the node, marks the positions filled in every slot. Returns the cached token count.
    /// </summary>
    public int Admit(KvSequence sequence, IReadOnlyList<int> tokens, int promptTokenCount)
    {
        if (sequence.Table.PageCount != 0)
            throw new InvalidOperationException("Only an empty sequence can adopt a cached prefix.");
        if (Prefix is null)
            return 0;
        var match = Prefix.MatchAndLock(Keys(tokens, tokens.Count), MaxReusablePages(tokens.Count), promptTokenCount);
        sequence.LockedNode = match.Node;
        foreach (int page in match.Pages)
        {
            Pool.Retain(page);
            sequence.Table.Add(page);
        }
        int cached = match.PageCount * _pageSize;
        foreach (var slot in sequence.Slots)
            slot.Adopt(cached);
        return cached;
    }

    /// <summary>Makes room for <paramref name="tokenCount"/> positions, evicting cached pages if needed; false when the pool cannot.</summary>
    public bool TryReserve(KvSequence sequence, int tokenCount)
    {
        int needed = Layout.PagesFor(tokenCount) - sequence.Table.PageCount;
        if (needed <= 0)
            return true;
        if (needed > Pool.AvailableCount)
            return false;
        if (needed > Pool.FreeCount)
            Prefix?.Evict(needed - Pool.FreeCount);
        for (int i = 0; i < needed; i++)
        {
            if (!Pool.TryAllocate(out int page))
                throw new InvalidOperationException($"KV page allocation failed with {Pool.AvailableCount} pages reported available.");
            sequence.Table.Add(page);
        }
        return true;
    }

    /// <summary>
    /// Ends a sequence: when <paramref name="cache"/> is set, its filled whole pages of <paramref name="tokens"/>
    /// (the first <paramref name="validTokenCount"/> positions, prompt and generated) go into the prefix cache; then
    /// every page reference is released and the pinned node unlocked.
    /// </summary>
    public void Free(KvSequence sequence, IReadOnlyList<int> tokens, int validTokenCount, bool cache)
    {
        if (cache && Prefix is not null && CacheablePages(sequence, tokens, validTokenCount) is var pages and > 0)
            Prefix.Insert(PageKeys(tokens, pages), Slice(sequence.Table.Pages, pages));
        foreach (int page in sequence.Table.Pages)
            Pool.Release(page);
        sequence.Table.Clear();
        foreach (var slot in sequence.Slots)
            slot.Truncate(0);
        if (sequence.LockedNode is { } node)
        {
            Prefix!.Unlock(node);
            sequence.LockedNode = null;
        }
    }

    /// <summary>
    /// Caches a running sequence's filled whole pages (after its prompt is prefilled, sglang's
    /// cache_unfinished_req) so requests arriving while it still decodes can reuse them; when the tree path is
    /// all its own pages, its lock moves down to the new node.
    /// </summary>
    public void CacheRunning(KvSequence sequence, IReadOnlyList<int> tokens, int validTokenCount)
    {
        if (Prefix is null || CacheablePages(sequence, tokens, validTokenCount) is not (var pages and > 0))
            return;
        Prefix.Insert(PageKeys(tokens, pages), Slice(sequence.Table.Pages, pages), out var end, out bool ownPath);
        if (!ownPath || end == sequence.LockedNode)
            return;
        Prefix.Lock(end);
        if (sequence.LockedNode is { } previous)
            Prefix.Unlock(previous);
        sequence.LockedNode = end;
    }

    /// <summary>Pages this sequence would give back to the available pool if it were freed now.</summary>
    public int ReleasablePageCount(KvSequence sequence)
    {
        int count = 0;
        foreach (int page in sequence.Table.Pages)
        {
            if (Pool.RefCount(page) == 1)
                count++;
        }
        return count;
    }

    /// <summary>Whole pages whose every position has its rows and its key (a pair key needs the next token too).</summary>
    private int CacheablePages(KvSequence sequence, IReadOnlyList<int> tokens, int validTokenCount)
    {
        int keyCount = Math.Min(validTokenCount, PairKeys ? tokens.Count - 1 : tokens.Count);
        return Math.Min(Math.Max(keyCount, 0) / _pageSize, sequence.Table.PageCount);
    }

    /// <summary>The keys of the first <paramref name="pages"/> pages.</summary>
    private long[] PageKeys(IReadOnlyList<int> tokens, int pages) => Keys(tokens, pages * _pageSize + (PairKeys ? 1 : 0));

    /// <summary>Prefix keys of the first <paramref name="count"/> tokens: one per token, or per (token, next token) pair.</summary>
    private long[] Keys(IReadOnlyList<int> tokens, int count)
    {
        if (!PairKeys)
        {
            var keys = new long[count];
            for (int i = 0; i < count; i++)
                keys[i] = tokens[i];
            return keys;
        }
        var pairs = new long[Math.Max(0, count - 1)];
        for (int i = 0; i < pairs.Length; i++)
            pairs[i] = ((long)tokens[i] << 32) | (uint)tokens[i + 1];
        return pairs;
    }

    /// <summary>A request must compute at least its last token itself (its logits), so reuse stops a page short of it.</summary>
    private int MaxReusablePages(int tokenCount) => Math.Max(0, tokenCount - 1) / _pageSize;

    private static int[] Slice(IReadOnlyList<int> pages, int count)
    {
        var slice = new int[count];
        for (int i = 0; i < count; i++)
            slice[i] = pages[i];
        return slice;
    }
}
