namespace GlmRuntime.Tokenization.Bpe;

/// <summary>
/// The merge rules of a BPE model: (left id, right id) → (rank, merged id). A lower rank merges first.
/// Both pair and result are packed into 64-bit integers so a lookup is one hash probe.
/// </summary>
internal sealed class BpeMergeTable
{
    private readonly Dictionary<long, long> _merges;

    /// <summary>Creates an empty table sized for <paramref name="capacity"/> rules.</summary>
    public BpeMergeTable(int capacity)
    {
        _merges = new Dictionary<long, long>(capacity);
    }

    /// <summary>Number of distinct pairs.</summary>
    public int Count => _merges.Count;

    /// <summary>Adds a rule; a later rule for the same pair replaces the earlier one, as in the Rust hash map.</summary>
    public void Add(int left, int right, int rank, int mergedId) =>
        _merges[Key(left, right)] = ((long)rank << 32) | (uint)mergedId;

    /// <summary>Looks up the rule for a pair.</summary>
    public bool TryGet(int left, int right, out int rank, out int mergedId)
    {
        if (_merges.TryGetValue(Key(left, right), out long value))
        {
            rank = (int)(value >> 32);
            mergedId = (int)value;
            return true;
        }
        rank = int.MaxValue;
        mergedId = -1;
        return false;
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
