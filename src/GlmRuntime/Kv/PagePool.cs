namespace GlmRuntime.Kv;

/// <summary>
/// A fixed number of KV pages and who holds them. Each page has a reference count (the page tables holding it)
/// and a cached flag (the <see cref="PrefixCache"/> holds it). A page is free when neither holds it, in use while
/// a page table does, and cached-only when only the prefix cache does (reclaimable by eviction), so
/// free + in use + cached-only = total at all times. Page memory is allocated on first use and then reused.
/// Not thread-safe: the engine loop owns it.
/// </summary>
internal sealed class PagePool
{
    private readonly byte[]?[] _pages;
    private readonly int[] _refCounts;
    private readonly bool[] _cached;
    private readonly Stack<int> _free;
    private float[] _latentGather = [];
    private float[] _indexGather = [];

    public PagePool(KvPageLayout layout, int pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageCount);
        Layout = layout;
        _pages = new byte[pageCount][];
        _refCounts = new int[pageCount];
        _cached = new bool[pageCount];
        // Pop low ids first so small workloads touch few pages.
        _free = new Stack<int>(Enumerable.Range(0, pageCount).Reverse());
    }

    public KvPageLayout Layout { get; }

    public int TotalCount => _pages.Length;

    public int FreeCount => _free.Count;

    /// <summary>Pages held by at least one page table.</summary>
    public int InUseCount { get; private set; }

    /// <summary>Pages only the prefix cache holds.</summary>
    public int CachedOnlyCount { get; private set; }

    /// <summary>Pages a new allocation can get, evicting cached-only pages if needed.</summary>
    public int AvailableCount => FreeCount + CachedOnlyCount;

    public int RefCount(int page) => _refCounts[page];

    public bool IsCached(int page) => _cached[page];

    /// <summary>Takes a free page with one reference, or returns false when none is free.</summary>
    public bool TryAllocate(out int page)
    {
        if (!_free.TryPop(out page))
            return false;
        _refCounts[page] = 1;
        InUseCount++;
        return true;
    }

    /// <summary>Adds a page-table reference (a cached page being reused).</summary>
    public void Retain(int page)
    {
        if (_refCounts[page] == 0)
        {
            if (!_cached[page])
                throw new InvalidOperationException($"KV page {page} is free; only held pages can be retained.");
            CachedOnlyCount--;
            InUseCount++;
        }
        _refCounts[page]++;
    }

    /// <summary>Drops a page-table reference; the page becomes free or cached-only when it was the last.</summary>
    public void Release(int page)
    {
        if (_refCounts[page] <= 0)
            throw new InvalidOperationException($"KV page {page} released more often than it was held.");
        if (--_refCounts[page] > 0)
            return;
        InUseCount--;
        if (_cached[page])
            CachedOnlyCount++;
        else
            _free.Push(page);
    }

    /// <summary>The prefix cache takes the page (it must be held by a page table now).</summary>
    public void MarkCached(int page)
    {
        if (_cached[page] || _refCounts[page] == 0)
            throw new InvalidOperationException($"KV page {page} cannot be cached: it is {(_cached[page] ? "cached already" : "not held")}.");
        _cached[page] = true;
    }

    /// <summary>The prefix cache lets the page go (eviction); it is freed unless a page table still holds it.</summary>
    public void Uncache(int page)
    {
        if (!_cached[page])
            throw new InvalidOperationException($"KV page {page} is not cached.");
        _cached[page] = false;
        if (_refCounts[page] == 0)
        {
            CachedOnlyCount--;
            _free.Push(page);
        }
    }

    /// <summary>The bytes of a held page.</summary>
    public Span<byte> Bytes(int page) => _pages[page] ??= new byte[Layout.PageBytes];

    /// <summary>A float32 scratch buffer for gathering latent rows of one sequence (the engine reads one layer at a time).</summary>
    public Span<float> LatentGather(int length) => Grow(ref _latentGather, length);

    /// <summary>A float32 scratch buffer for gathering indexer-key rows.</summary>
    public Span<float> IndexGather(int length) => Grow(ref _indexGather, length);

    /// <summary>Recounts every page and throws when the running counts disagree (tests and debug checks).</summary>
    public void CheckAccounting()
    {
        int inUse = 0, cachedOnly = 0, free = 0;
        for (int p = 0; p < _pages.Length; p++)
        {
            if (_refCounts[p] > 0) inUse++;
            else if (_cached[p]) cachedOnly++;
            else free++;
        }
        if (inUse != InUseCount || cachedOnly != CachedOnlyCount || free != FreeCount || inUse + cachedOnly + free != TotalCount)
            throw new InvalidOperationException(
                $"KV page accounting is off: counted {free} free, {inUse} in use, {cachedOnly} cached-only of {TotalCount}; " +
                $"tracked {FreeCount}, {InUseCount}, {CachedOnlyCount}.");
    }

    private static Span<float> Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new float[Math.Max(length, buffer.Length * 3 / 2)];
        return buffer.AsSpan(0, length);
    }
}
