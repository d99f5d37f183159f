using GlmRuntime.Compute.Cpu;

namespace GlmRuntime.Tests.Compute;

/// <summary>The persistent worker team: every range runs exactly once, failures surface, reentry and concurrent callers run inline.</summary>
[TestFixture]
public sealed class CpuWorkerPoolTests
{
    [Test]
    public void Every_item_runs_exactly_once_across_many_calls()
    {
        var parallel = new CpuParallel(3);
        for (int round = 0; round < 200; round++)
        {
            int count = 1 + round * 7 % 97;
            int[] hits = new int[count];
            parallel.For(count, 1 << 20, (start, end) =>
            {
                for (int i = start; i < end; i++)
                    Interlocked.Increment(ref hits[i]);
            });
            Assert.That(hits, Has.All.EqualTo(1), $"round {round}");
        }
    }

    [Test]
    public void An_exception_in_a_range_reaches_the_caller_and_the_pool_still_works()
    {
        var parallel = new CpuParallel(2);
        var e = Assert.Throws<InvalidOperationException>(() => parallel.For(64, 1 << 20, (start, _) =>
        {
            if (start > 0)
                throw new InvalidOperationException("range failed");
        }));
        Assert.That(e!.Message, Is.EqualTo("range failed"));
        int total = 0;
        parallel.For(64, 1 << 20, (start, end) => Interlocked.Add(ref total, end - start));
        Assert.That(total, Is.EqualTo(64));
    }

    [Test]
    public void Nested_and_concurrent_calls_complete()
    {
        var parallel = new CpuParallel(2);
        long total = 0;
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 50; i++)
            {
                parallel.For(8, 1 << 20, (start, end) =>
                {
                    // A kernel that calls another kernel: the inner call runs inline on the busy team.
                    for (int item = start; item < end; item++)
                        parallel.For(4, 1 << 20, (s, e) => Interlocked.Add(ref total, e - s));
                });
            }
        });
        Assert.That(total, Is.EqualTo(4L * 50 * 8 * 4), "inner items");
    }
}
