namespace GlmRuntime.Tokenization.Bpe;

/// <summary>
/// Applies BPE merges to one word: repeatedly merge the adjacent pair with the lowest rank, the leftmost
/// one on ties, until no pair has a rule. This is the order the Rust library's priority queue produces.
/// Short words use a linear scan (cheaper than a heap for the usual 2–20 symbols); long ones a heap.
/// </summary>
internal static class BpeWordMerger
{
    private const int ScanLimit = 48;

    /// <summary>Merges <paramref name="ids"/> in place and returns the number of symbols left at its start.</summary>
    public static int Merge(Span<int> ids, BpeMergeTable merges) =>
        ids.Length <= 1 ? ids.Length : ids.Length <= ScanLimit ? MergeByScan(ids, merges) : MergeWithHeap(ids, merges);

    private static int MergeByScan(Span<int> ids, BpeMergeTable merges)
    {
        int count = ids.Length;
        // ranks[i] / merged[i] describe the pair (ids[i], ids[i + 1]).
        Span<int> ranks = stackalloc int[count];
        Span<int> merged = stackalloc int[count];
        for (int i = 0; i < count - 1; i++)
            merges.TryGet(ids[i], ids[i + 1], out ranks[i], out merged[i]);

        while (count > 1)
        {
            int best = -1;
            int bestRank = int.MaxValue;
            for (int i = 0; i < count - 1; i++)
            {
                if (ranks[i] < bestRank)
                {
                    bestRank = ranks[i];
                    best = i;
                }
            }
            if (best < 0)
                break;

            ids[best] = merged[best];
            int tail = count - best - 2;
            ids.Slice(best + 2, tail).CopyTo(ids.Slice(best + 1));
            ranks.Slice(best + 2, tail).CopyTo(ranks.Slice(best + 1));
            merged.Slice(best + 2, tail).CopyTo(merged.Slice(best + 1));
            count--;
            ranks[count - 1] = int.MaxValue;
            if (best > 0)
                merges.TryGet(ids[best - 1], ids[best], out ranks[best - 1], out merged[best - 1]);
            if (best < count - 1)
                merges.TryGet(ids[best], ids[best + 1], out ranks[best], out merged[best]);
        }
        return count;
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
