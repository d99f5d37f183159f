using System.Runtime.CompilerServices;
using GlmRuntime.Compute.Cpu.Linear;

namespace GlmRuntime.Compute.Cpu;

/// <summary>A loop body over a range of items, run by <see cref="CpuParallel.For{TJob}"/> without allocating.</summary>
internal interface IRangeJob
{
    /// <summary>Processes items [start, end).</summary>
    void Execute(int start, int end);
}

/// <summary>
/// Splits a loop over independent items into ranges claimed dynamically by the <see cref="CpuWorkerPool"/> team,
/// or runs it inline when the work is too small to pay for waking the team (the tiny test models would otherwise
/// be dominated by it).
/// </summary>
internal sealed unsafe class CpuParallel
{
    /// <summary>Multiply-adds below which a loop runs on the calling thread.</summary>
    private const long InlineWork = 1 << 15;

    /// <summary>Ranges per thread: enough for a straggling vCPU to be covered by the others, few enough to claim cheaply.</summary>
    private const int RangesPerThread = 4;

    private readonly CpuWorkerPool _pool;

    public CpuParallel(int threadCount, CpuIsa? isa = null, CpuActivationPrecision activations = CpuActivationPrecision.Float32)
    {
        if (!Enum.IsDefined(activations))
            throw new ArgumentOutOfRangeException(nameof(activations), activations, "Unknown CPU activation precision.");
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        if (isa is { } requested && !CpuIsaDetection.IsSupported(requested))
            throw new PlatformNotSupportedException($"This CPU cannot run the {requested} kernels (best: {CpuIsaDetection.Best}).");
        _pool = CpuWorkerPool.ForThreads(threadCount);
        Isa = isa ?? CpuIsaDetection.Best;
        Activations = activations;
    }

    public int ThreadCount => _pool.ThreadCount;

    /// <summary>The SIMD path the kernels take.</summary>
    public CpuIsa Isa { get; }

    /// <summary>Whether MXFP4 products quantize their activations to int8 (on the SIMD paths).</summary>
    public CpuActivationPrecision Activations { get; }

    /// <summary>Runs job.Execute(start, end) over [0, count) in ranges; <paramref name="workPerItem"/> estimates multiply-adds.</summary>
    public void For<TJob>(int count, long workPerItem, ref TJob job) where TJob : struct, IRangeJob
    {
        if (count <= 0)
            return;
        int ranges = RangeCount(count, workPerItem);
        if (ranges <= 1)
        {
            job.Execute(0, count);
            return;
        }
        // The job lives on this thread's stack until Run returns, so its address stays valid for the workers.
        var state = new RangeState { Job = Unsafe.AsPointer(ref job), Count = count, Ranges = ranges };
        _pool.Run(&RunRange<TJob>, &state, ranges);
    }

    /// <summary>Runs body(start, end) over [0, count) in ranges (allocates a closure; hot kernels use the struct overload).</summary>
    public void For(int count, long workPerItem, Action<int, int> body)
    {
        var job = new ActionJob(body);
        For(count, workPerItem, ref job);
    }

    private int RangeCount(int count, long workPerItem) =>
        ThreadCount == 1 ? 1 : (int)Math.Min(Math.Min(count, (long)ThreadCount * RangesPerThread), Math.Max(1, count * workPerItem / InlineWork));

    private static void RunRange<TJob>(void* state, int range) where TJob : struct, IRangeJob
    {
        var s = (RangeState*)state;
        int start = (int)((long)s->Count * range / s->Ranges);
        int end = (int)((long)s->Count * (range + 1) / s->Ranges);
        Unsafe.AsRef<TJob>(s->Job).Execute(start, end);
    }

    private struct RangeState
    {
        public void* Job;
        public int Count;
        public int Ranges;
    }

    private readonly struct ActionJob(Action<int, int> body) : IRangeJob
    {
        public void Execute(int start, int end) => body(start, end);
    }
}
