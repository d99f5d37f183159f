namespace GlmRuntime.Kv;

/// <summary>A prefix-cache lookup: the pages holding the matched keys, in order, and the deepest matched node.</summary>
/// <param name="Pages">One page per matched page of keys.</param>
/// <param name="Node">The node the match ends in (the root when nothing matched); lock it to pin the pages.</param>
/// <param name="ReclaimablePageCount">Matched pages nobody holds now (pinning them takes them out of the available pool).</param>
internal readonly record struct PrefixMatch(IReadOnlyList<int> Pages, PrefixNode Node, int ReclaimablePageCount)
{
    public int PageCount => Pages.Count;
}
