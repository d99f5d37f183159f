namespace GlmRuntime.Kv;

/// <summary>
/// A radix-tree node of the <see cref="PrefixCache"/>: a run of keys (a whole number of pages) and the pages that
/// hold its KV, its children by their first page of keys, and the requests that pin it.
/// </summary>
internal sealed class PrefixNode
{
    public PrefixNode(PrefixNode? parent, long[] keys, int[] pages)
    {
        Parent = parent;
        Keys = keys;
        Pages = pages;
    }

    public PrefixNode? Parent { get; set; }

    /// <summary>[Pages.Length × page size] keys of this segment.</summary>
    public long[] Keys { get; set; }

    /// <summary>The pages holding this segment, in order.</summary>
    public int[] Pages { get; set; }

    public List<PrefixNode> Children { get; } = [];

    /// <summary>Running requests whose reused prefix ends at or below this node (sglang's lock_ref).</summary>
    public int LockCount { get; set; }

    /// <summary>Logical time of the last match or insert through this node (LRU order).</summary>
    public long LastAccess { get; set; }

    public bool IsEvictable => Parent is not null && LockCount == 0 && Children.Count == 0;
}
