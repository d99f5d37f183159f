using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// A persistent team of worker threads for µs-scale kernels (PERF.md §1.4): the caller publishes one job (a
/// function pointer and a pointer to its state, so nothing is allocated), every thread claims chunks from a shared
/// counter until none are left (dynamic, so one slow vCPU does not stall the step), and the caller joins by
/// spinning. Idle workers spin briefly, then block, so an idle engine costs no CPU.
/// </summary>
/// <remarks>
/// One job runs at a time: a call made while the pool is busy (another engine on another thread, or a kernel
/// called from inside a job) runs on the calling thread instead of queueing.
/// </remarks>
internal sealed unsafe class CpuWorkerPool
{
    private static readonly ConcurrentDictionary<int, CpuWorkerPool> Pools = new();

    /// <summary>Spin iterations before an idle worker blocks (tens of µs: longer than the gap between kernels of one step).</summary>
    private const int IdleSpins = 20_000;

    private readonly object _gate = new();
    private int _busy;
    private int _generation;
    private int _sleeping;
    private int _remaining;
    private int _nextChunk;
    private int _chunkCount;
    private delegate*<void*, int, void> _job;
    private void* _state;
    private Exception? _failure;

    private CpuWorkerPool(int threadCount)
    {
        ThreadCount = threadCount;
        for (int i = 1; i < threadCount; i++)
        {
            var worker = new Thread(WorkerLoop) { IsBackground = true, Name = $"glm-cpu-{i}" };
            worker.Start();
        }
    }

    /// <summary>Threads that run a job, the caller included.</summary>
    public int ThreadCount { get; }

    /// <summary>The process-wide pool of <paramref name="threadCount"/> threads (pools are shared, never torn down).</summary>
    public static CpuWorkerPool ForThreads(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        return Pools.GetOrAdd(threadCount, static n => new CpuWorkerPool(n));
    }

    /// <summary>
    /// Runs <paramref name="job"/>(state, chunk) for every chunk in [0, <paramref name="chunkCount"/>) across the
    /// team and returns when all are done; the first exception a chunk throws is rethrown here.
    /// </summary>
    public void Run(delegate*<void*, int, void> job, void* state, int chunkCount)
    {
        if (chunkCount <= 0)
            return;
        if (chunkCount == 1 || ThreadCount == 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int c = 0; c < chunkCount; c++)
                job(state, c);
            return;
        }
        try
        {
            _job = job;
            _state = state;
            _chunkCount = chunkCount;
            _nextChunk = 0;
            _failure = null;
            _remaining = ThreadCount - 1;
            // A full fence, then the sleeper count: a worker that registered as sleeping before this point is woken,
            // one that registers after it sees the new generation (Dekker-style, both sides use Interlocked).
            Interlocked.Increment(ref _generation);
            if (Volatile.Read(ref _sleeping) > 0)
            {
                lock (_gate)
                    Monitor.PulseAll(_gate);
            }
            Work();
            var spin = new SpinWait();
            while (Volatile.Read(ref _remaining) > 0)
                spin.SpinOnce(sleep1Threshold: -1);
            if (_failure is { } failure)
                ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            _job = null;
            _state = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    private void Work()
    {
        try
        {
            int chunk;
            while ((chunk = Interlocked.Increment(ref _nextChunk) - 1) < _chunkCount)
                _job(_state, chunk);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            // Stop handing out chunks; the others finish the one they hold.
            Volatile.Write(ref _nextChunk, int.MaxValue / 2);
        }
    }

    private void WorkerLoop()
    {
        int seen = 0;
        while (true)
        {
            int generation = Volatile.Read(ref _generation);
            for (int i = 0; generation == seen && i < IdleSpins; i++)
            {
                Thread.SpinWait(8);
                generation = Volatile.Read(ref _generation);
            }
            if (generation == seen)
            {
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleeping);
                    while ((generation = Volatile.Read(ref _generation)) == seen)
                        Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleeping);
                }
            }
            seen = generation;
            Work();
            Interlocked.Decrement(ref _remaining);
        }
    }
}
