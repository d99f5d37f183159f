using System.Numerics.Tensors;

namespace GlmRuntime.Tokenization.Bpe;

/// <summary>
/// Applies BPE merges to one word: repeatedly merge the adjacent pair with the lowest rank, the leftmost
/// one on ties, until no pair has a rule. This is the order the Rust library's priority queue produces:
/// it treats a queued entry as current when the pair at its position still merges to the same id, and
/// since a merged id is the token spelled by the pair (a span of the word that only grows), that is
/// true only for the very pair that was queued.
/// Words up to <see cref="ScanLimit"/> symbols keep one rank per adjacent pair and find the next merge
/// with a vectorised first-minimum search (no allocation, and cheaper than a heap at these sizes);
/// longer ones use a heap so the cost stays O(n log n).
/// </summary>
internal static class BpeWordMerger
{
    private const int ScanLimit = 64;

    /// <summary>Merges <paramref name="ids"/> in place and returns the number of symbols left at its start.</summary>
    public static int Merge(Span<int> ids, BpeMergeTable merges) =>
        ids.Length <= 1 ? ids.Length : ids.Length <= ScanLimit ? MergeByScan(ids, merges) : MergeWithHeap(ids, merges);

    private static int MergeByScan(Span<int> ids, BpeMergeTable merges)
    {
        int count = ids.Length;
        // Symbols stay at their original index (a linked list via next/previous), so a merge moves no data.
        // ranks[i] / merged[i] describe the pair (symbol i, next symbol); int.MaxValue means no rule or
        // a removed symbol, so the first minimum over the whole span is the leftmost lowest-ranked pair.
        Span<int> ranks = stackalloc int[count];
        Span<int> merged = stackalloc int[count];
        Span<int> next = stackalloc int[count];
        Span<int> previous = stackalloc int[count];
        for (int i = 0; i < count; i++)
        {
            next[i] = i + 1 < count ? i + 1 : -1;
            previous[i] = i - 1;
            ranks[i] = int.MaxValue;
            if (i + 1 < count)
                merges.TryGet(ids[i], ids[i + 1], out ranks[i], out merged[i]);
        }

        while (true)
        {
            int best = TensorPrimitives.IndexOfMin<int>(ranks);
            if (ranks[best] == int.MaxValue)
                break;
            int right = next[best];
            ids[best] = merged[best];
            ranks[right] = int.MaxValue;
            int after = next[right];
            next[best] = after;
            if (after >= 0)
                previous[after] = best;

            int left = previous[best];
            if (left >= 0)
                merges.TryGet(ids[left], ids[best], out ranks[left], out merged[left]);
            if (after >= 0)
                merges.TryGet(ids[best], ids[after], out ranks[best], out merged[best]);
            else
                ranks[best] = int.MaxValue;
        }

        int kept = 0;
        for (int i = 0; i >= 0; i = next[i])
            ids[kept++] = ids[i];
        return kept;
    }

    private static int MergeWithHeap(Span<int> ids, BpeMergeTable merges)
    {
        int count = ids.Length;
        int[] previous = new int[count];
        int[] next = new int[count];
        bool[] removed = new bool[count];
        // Priority = rank, then position: exactly "lowest rank, leftmost first".
        var queue = new PriorityQueue<(int Position, int MergedId), long>(count);
        for (int i = 0; i < count; i++)
        {
            previous[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
            if (i + 1 < count && merges.TryGet(ids[i], ids[i + 1], out int rank, out int mergedId))
                queue.Enqueue((i, mergedId), Priority(rank, i));
        }

        while (queue.TryDequeue(out (int Position, int MergedId) top, out _))
        {
            int position = top.Position;
            int right = next[position];
            // Entries go stale when a neighbour merged since they were queued.
            if (removed[position] || right < 0
                || !merges.TryGet(ids[position], ids[right], out _, out int currentMerged) || currentMerged != top.MergedId)
                continue;

            ids[position] = top.MergedId;
            removed[right] = true;
            next[position] = next[right];
            if (next[right] >= 0)
                previous[next[right]] = position;

            int left = previous[position];
            if (left >= 0 && merges.TryGet(ids[left], ids[position], out int leftRank, out int leftMerged))
                queue.Enqueue((left, leftMerged), Priority(leftRank, left));
            int after = next[position];
            if (after >= 0 && merges.TryGet(ids[position], ids[after], out int rightRank, out int rightMerged))
                queue.Enqueue((position, rightMerged), Priority(rightRank, position));
        }

        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (!removed[i])
                ids[kept++] = ids[i];
        }
        return kept;
    }

    private static long Priority(int rank, int position) => ((long)rank << 32) | (uint)position;
}
