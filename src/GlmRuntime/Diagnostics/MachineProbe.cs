using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GlmRuntime.Compute.Cpu;

namespace GlmRuntime.Diagnostics;

/// <summary>
/// This machine's limits, measured with the same worker team the kernels use (PERF.md §1.3): DRAM read bandwidth
/// (a streaming sum over a buffer far larger than L3, in the widest vectors the hardware runs: Vector512 emulated on AVX2 would measure the emulation), the fp32 FMA peak (12 independent chains per
/// thread) and the int8 multiply-add peak of the instructions .NET can emit here (vpmaddubsw + vpmaddwd; the
/// VNNI vpdpbusd is not exposed by .NET 10).
/// </summary>
internal static unsafe class MachineProbe
{
    /// <summary>Median GB/s (10⁹ bytes) of <paramref name="repetitions"/> passes over <paramref name="bytes"/>.</summary>
    public static double ReadBandwidthGbs(CpuParallel parallel, long bytes = 1L << 30, int repetitions = 7)
    {
        long floats = bytes / sizeof(float) / 64 * 64;
        var buffer = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 4096);
        try
        {
            // Touch every page (and make the sum depend on real data).
            new Span<float>(buffer, (int)Math.Min(floats, int.MaxValue)).Fill(1f);
            for (long i = int.MaxValue; i < floats; i++)
                buffer[i] = 1f;
            int ranges = parallel.ThreadCount * 16;
            return Median(repetitions, () =>
            {
                // On this stack frame: the workers reach the job through a raw pointer, which a captured (heap) copy
                // would not keep valid across a GC.
                var job = new SumJob { Data = buffer, Blocks = floats / 64, Ranges = ranges };
                long start = Stopwatch.GetTimestamp();
                parallel.For(ranges, long.MaxValue / ranges, ref job);
                return floats * sizeof(float) / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9;
            });
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    /// <summary>Median fp32 GFLOP/s (2 per FMA lane) with every thread running independent FMA chains.</summary>
    public static double FmaPeakGflops(CpuParallel parallel, int repetitions = 5)
    {
        const long iterations = 4_000_000;
        int lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
        return Median(repetitions, () =>
        {
            var job = new FmaJob { Iterations = iterations };
            long start = Stopwatch.GetTimestamp();
            parallel.For(parallel.ThreadCount, long.MaxValue / parallel.ThreadCount, ref job);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            GC.KeepAlive(job.Sink);
            return parallel.ThreadCount * iterations * 12.0 * lanes * 2 / seconds / 1e9;
        });
    }

    /// <summary>Median int8 GOP/s (a multiply and an add per byte pair) of vpmaddubsw chains (AVX-512BW or AVX2; 0 without either).</summary>
    public static double Int8PeakGops(CpuParallel parallel, int repetitions = 5)
    {
        if (!Avx512BW.IsSupported && !Avx2.IsSupported)
            return 0;
        int bytes = Avx512BW.IsSupported ? 64 : 32;
        const long iterations = 4_000_000;
        return Median(repetitions, () =>
        {
            var job = new Int8Job { Iterations = iterations };
            long start = Stopwatch.GetTimestamp();
            parallel.For(parallel.ThreadCount, long.MaxValue / parallel.ThreadCount, ref job);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            GC.KeepAlive(job.Sink);
            return parallel.ThreadCount * iterations * 8.0 * bytes * 2 / seconds / 1e9;
        });
    }

    /// <summary>Bytes <see cref="EvictCaches"/> reads: several times any L3 of a CPU this runs on.</summary>
    private const int EvictionBytes = 256 << 20;

    private static readonly Lazy<IntPtr> EvictionBuffer = new(() =>
    {
        var buffer = (byte*)NativeMemory.AlignedAlloc(EvictionBytes, 4096);
        new Span<byte>(buffer, EvictionBytes).Fill(1);   // touch every page once
        return (IntPtr)buffer;
    });

    /// <summary>
    /// Reads a buffer far larger than the last-level cache on the calling thread, so what the next timed call reads
    /// comes from DRAM. The buffer lives for the process (256 MiB, first use only).
    /// </summary>
    public static void EvictCaches()
    {
        var data = (float*)EvictionBuffer.Value;
        var sum = Vector256<float>.Zero;
        for (long i = 0; i < EvictionBytes / sizeof(float); i += 64)
            sum += Vector256.Load(data + i) + Vector256.Load(data + i + 16) + Vector256.Load(data + i + 32) + Vector256.Load(data + i + 48);
        Sink = Vector256.Sum(sum);
    }

    /// <summary>Keeps <see cref="EvictCaches"/>' reads from being optimized away.</summary>
    private static float Sink;

    /// <summary>The median of <paramref name="count"/> samples.</summary>
    public static double Median(int count, Func<double> sample)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
            values[i] = sample();
        Array.Sort(values);
        return count % 2 == 1 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
    }

    /// <summary>
    /// Calls <paramref name="action"/> until it has run <paramref name="minCalls"/> times and for at least
    /// <paramref name="minSeconds"/> (or <paramref name="maxSeconds"/> have passed), so tiered compilation has moved
    /// the code under test to its optimized tier before anything is timed.
    /// </summary>
    public static void WarmUp(Action action, int minCalls = 40, double minSeconds = 0.3, double maxSeconds = 3)
    {
        long start = Stopwatch.GetTimestamp();
        for (int calls = 0; ; calls++)
        {
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if ((calls >= minCalls && elapsed >= minSeconds) || elapsed >= maxSeconds)
                return;
            action();
        }
    }

    private struct SumJob : IRangeJob
    {

        public float* Data;
        public long Blocks;
        public int Ranges;
        public float Sink;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end)
        {
            long first = Blocks * start / Ranges, last = Blocks * end / Ranges;
            Sink += Vector512.IsHardwareAccelerated ? Sum512(first, last) : Sum256(first, last);
        }

        // No software prefetch: on this machine it lowers a plain streaming sum (27 against 35 GB/s at 2 KiB ahead).
        private readonly float Sum512(long first, long last)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (long b = first; b < last; b++)
            {
                float* p = Data + b * 64;
                a0 += Vector512.Load(p);
                a1 += Vector512.Load(p + 16);
                a2 += Vector512.Load(p + 32);
                a3 += Vector512.Load(p + 48);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3);
        }

        private readonly float Sum256(long first, long last)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (long b = first; b < last; b++)
            {
                float* p = Data + b * 64;
                a0 += Vector256.Load(p) + Vector256.Load(p + 8);
                a1 += Vector256.Load(p + 16) + Vector256.Load(p + 24);
                a2 += Vector256.Load(p + 32) + Vector256.Load(p + 40);
                a3 += Vector256.Load(p + 48) + Vector256.Load(p + 56);
            }
            return Vector256.Sum(a0 + a1 + a2 + a3);
        }
    }

    private struct FmaJob : IRangeJob
    {
        public long Iterations;
        public float Sink;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end)
        {
            for (int r = start; r < end; r++)
                Sink += Vector512.IsHardwareAccelerated ? Chains512(Iterations) : Chains256(Iterations);
        }

        private static float Chains512(long iterations)
        {
            var m = Vector512.Create(0.999f);
            var c = Vector512.Create(1e-7f);
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
                a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
                a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
                a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
                a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
                a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }

        private static float Chains256(long iterations)
        {
            var m = Vector256.Create(0.999f);
            var c = Vector256.Create(1e-7f);
            Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
                a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
                a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
                a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
                a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
                a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
            }
            return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
    }

    private struct Int8Job : IRangeJob
    {
        public long Iterations;
        public int Sink;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end)
        {
            for (int r = start; r < end; r++)
                Sink += Chains(Iterations);
        }

        // vpmaddubsw (32 or 64 byte pairs multiplied and added pairwise) accumulated with vpaddw, as the int8 kernels
        // do before they widen: the int8 multiply rate the hardware gives .NET code. A different multiplier per chain,
        // so the JIT cannot fold the chains into one.
        private static int Chains(long iterations) => Avx512BW.IsSupported ? Chains512(iterations) : Chains256(iterations);

        private static int Chains512(long iterations)
        {
            var u = Vector512.Create((byte)3);
            Vector512<sbyte> s0 = Vector512.Create((sbyte)-2), s1 = Vector512.Create((sbyte)-3), s2 = Vector512.Create((sbyte)-4), s3 = Vector512.Create((sbyte)-5),
                s4 = Vector512.Create((sbyte)2), s5 = Vector512.Create((sbyte)3), s6 = Vector512.Create((sbyte)4), s7 = Vector512.Create((sbyte)5);
            Vector512<short> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (long i = 0; i < iterations; i++)
            {
                a0 += Avx512BW.MultiplyAddAdjacent(u, s0);
                a1 += Avx512BW.MultiplyAddAdjacent(u, s1);
                a2 += Avx512BW.MultiplyAddAdjacent(u, s2);
                a3 += Avx512BW.MultiplyAddAdjacent(u, s3);
                a4 += Avx512BW.MultiplyAddAdjacent(u, s4);
                a5 += Avx512BW.MultiplyAddAdjacent(u, s5);
                a6 += Avx512BW.MultiplyAddAdjacent(u, s6);
                a7 += Avx512BW.MultiplyAddAdjacent(u, s7);
                u += Vector512<byte>.One;
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
        }

        private static int Chains256(long iterations)
        {
            var u = Vector256.Create((byte)3);
            Vector256<sbyte> s0 = Vector256.Create((sbyte)-2), s1 = Vector256.Create((sbyte)-3), s2 = Vector256.Create((sbyte)-4), s3 = Vector256.Create((sbyte)-5),
                s4 = Vector256.Create((sbyte)2), s5 = Vector256.Create((sbyte)3), s6 = Vector256.Create((sbyte)4), s7 = Vector256.Create((sbyte)5);
            Vector256<short> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (long i = 0; i < iterations; i++)
            {
                a0 += Avx2.MultiplyAddAdjacent(u, s0);
                a1 += Avx2.MultiplyAddAdjacent(u, s1);
                a2 += Avx2.MultiplyAddAdjacent(u, s2);
                a3 += Avx2.MultiplyAddAdjacent(u, s3);
                a4 += Avx2.MultiplyAddAdjacent(u, s4);
                a5 += Avx2.MultiplyAddAdjacent(u, s5);
                a6 += Avx2.MultiplyAddAdjacent(u, s6);
                a7 += Avx2.MultiplyAddAdjacent(u, s7);
                u += Vector256<byte>.One;
            }
            return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
        }
    }
}
