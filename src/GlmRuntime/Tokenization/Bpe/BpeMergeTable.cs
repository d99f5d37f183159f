using System.Numerics;

namespace GlmRuntime.Tokenization.Bpe;

/// <summary>
/// The merge rules of a BPE model: (left id, right id) → (rank, merged id). A lower rank merges first.
/// An open-addressing table with linear probing, keyed by the pair packed into 64 bits and hashed with a
/// Fibonacci multiply. (A <c>Dictionary&lt;long, …&gt;</c> is unusable here: <c>long.GetHashCode</c> XORs the
/// two halves, so pairs of small ids collide by the thousand.) Read-only after construction, so lookups
/// are thread-safe.
/// </summary>
internal sealed class BpeMergeTable
{
    private const long Empty = -1; // Ids are non-negative, so no real key packs to -1.

    // Key and value side by side: a hit costs one cache line.
    private Entry[] _entries;
    private int _shift;
    private int _count;

    /// <summary>Creates an empty table sized for <paramref name="capacity"/> rules.</summary>
    public BpeMergeTable(int capacity)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        _entries = NewEntries(size);
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    /// <summary>Number of distinct pairs.</summary>
    public int Count => _count;

    /// <summary>Adds a rule; a later rule for the same pair replaces the earlier one, as in the Rust hash map.</summary>
    public void Add(int left, int right, int rank, int mergedId)
    {
        if ((_count + 1) * 2 > _entries.Length)
            Grow();
        Insert(Key(left, right), ((long)rank << 32) | (uint)mergedId);
    }

    /// <summary>Looks up the rule for a pair.</summary>
    public bool TryGet(int left, int right, out int rank, out int mergedId)
    {
        long key = Key(left, right);
        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        for (int slot = Slot(key); ; slot = (slot + 1) & mask)
        {
            long found = entries[slot].Key;
            if (found == key)
            {
                long value = entries[slot].Value;
                rank = (int)(value >> 32);
                mergedId = (int)value;
                return true;
            }
            if (found == Empty)
            {
                rank = int.MaxValue;
                mergedId = -1;
                return false;
            }
        }
    }

    private void Insert(long key, long value)
    {
        int mask = _entries.Length - 1;
        for (int slot = Slot(key); ; slot = (slot + 1) & mask)
        {
            ref Entry entry = ref _entries[slot];
            if (entry.Key == key || entry.Key == Empty)
            {
                _count += entry.Key == Empty ? 1 : 0;
                entry = new Entry(key, value);
                return;
            }
        }
    }

    private void Grow()
    {
        Entry[] old = _entries;
        _entries = NewEntries(old.Length * 2);
        _shift--;
        _count = 0;
        foreach (Entry entry in old)
        {
            if (entry.Key != Empty)
                Insert(entry.Key, entry.Value);
        }
    }

    private int Slot(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift);

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static Entry[] NewEntries(int size)
    {
        var entries = new Entry[size];
        Array.Fill(entries, new Entry(Empty, 0));
        return entries;
    }

    private readonly record struct Entry(long Key, long Value);
}
