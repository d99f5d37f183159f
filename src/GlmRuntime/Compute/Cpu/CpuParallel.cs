namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// Splits a loop over independent items into contiguous ranges on the thread pool, or runs it inline when the
/// work is too small to pay for the hand-off (the tiny test models would otherwise be dominated by it).
/// </summary>
internal sealed class CpuParallel(int threadCount)
{
    /// <summary>Multiply-adds below which a loop runs on the calling thread.</summary>
    private const long InlineWork = 1 << 15;

    public int ThreadCount { get; } = threadCount;

    /// <summary>Runs body(start, end) over [0, count) in ranges; <paramref name="workPerItem"/> estimates multiply-adds.</summary>
    public void For(int count, long workPerItem, Action<int, int> body)
    {
        if (count <= 0)
            return;
        int ranges = (int)Math.Min(Math.Min(count, ThreadCount * 4L), Math.Max(1, count * workPerItem / InlineWork));
        if (ranges <= 1 || ThreadCount == 1)
        {
            body(0, count);
            return;
        }
        Parallel.For(0, ranges, new ParallelOptions { MaxDegreeOfParallelism = ThreadCount }, r =>
        {
            int start = (int)((long)count * r / ranges);
            int end = (int)((long)count * (r + 1) / ranges);
            body(start, end);
        });
    }
}
