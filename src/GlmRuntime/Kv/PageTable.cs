namespace GlmRuntime.Kv;

/// <summary>
/// One sequence's pages in position order (vLLM's block table, sglang's req_to_token row): position p lives in
/// page Pages[p / PageSize] at row p % PageSize. Append-only while the sequence runs.
/// </summary>
internal sealed class PageTable(int pageSize)
{
    private readonly List<int> _pages = [];

    public int PageSize { get; } = pageSize;

    public IReadOnlyList<int> Pages => _pages;

    public int PageCount => _pages.Count;

    /// <summary>Positions the held pages cover.</summary>
    public int Capacity => _pages.Count * PageSize;

    public void Add(int page) => _pages.Add(page);

    /// <summary>The page holding <paramref name="position"/>.</summary>
    public int PageAt(int position) => _pages[position / PageSize];

    /// <summary>Forgets every page (the caller has released them).</summary>
    public void Clear() => _pages.Clear();
}
