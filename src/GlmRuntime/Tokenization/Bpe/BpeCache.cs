using System.Collections.Concurrent;

namespace GlmRuntime.Tokenization.Bpe;

/// <summary>
/// Word → ids cache shared by all threads encoding with one model. Bounded: once full it stops
/// accepting entries (as the Rust cache does) rather than evicting, so hits never contend on a lock.
/// Lookups take a span, so a hit allocates nothing.
/// </summary>
internal sealed class BpeCache
{
    /// <summary>Words longer than this are not cached: they are rare and would crowd out common ones.</summary>
    public const int MaxWordLength = 256;

    private readonly ConcurrentDictionary<string, int[]> _entries;
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private readonly int _capacity;
    private int _count;

    /// <summary>Creates a cache holding at most <paramref name="capacity"/> words.</summary>
    public BpeCache(int capacity)
    {
        _capacity = capacity;
        _entries = new ConcurrentDictionary<string, int[]>(StringComparer.Ordinal);
        _spanLookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Looks up a word.</summary>
    public bool TryGet(ReadOnlySpan<char> word, out int[] ids) => _spanLookup.TryGetValue(word, out ids!);

    /// <summary>Remembers the ids of a word, unless the cache is full or the word too long.</summary>
    public void TryAdd(ReadOnlySpan<char> word, ReadOnlySpan<int> ids)
    {
        if (word.Length > MaxWordLength || Volatile.Read(ref _count) >= _capacity)
            return;
        if (_spanLookup.TryAdd(word, ids.ToArray()))
            Interlocked.Increment(ref _count);
    }
}
