namespace GlmRuntime.Kv;

/// <summary>
/// The KV of one request in the engine: its page table, a paged cache view per layer slot (main layers, then the
/// MTP layer when cached), and the prefix-cache node it pinned on admission.
/// </summary>
internal sealed class KvSequence
{
    public KvSequence(PagePool pool)
    {
        Table = new PageTable(pool.Layout.PageSize);
        Slots = new PagedLayerCache[pool.Layout.SlotCount];
        for (int s = 0; s < Slots.Length; s++)
            Slots[s] = new PagedLayerCache(pool, Table, s);
    }

    public PageTable Table { get; }

    /// <summary>One view per layer slot.</summary>
    public PagedLayerCache[] Slots { get; }

    /// <summary>The prefix-cache node locked on admission, or null.</summary>
    public PrefixNode? LockedNode { get; set; }

    /// <summary>Positions filled in the main layers.</summary>
    public int Length => Slots.Length == 0 ? 0 : Slots[0].Count;
}
