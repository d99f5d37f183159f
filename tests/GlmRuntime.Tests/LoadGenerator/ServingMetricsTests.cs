using GlmRuntime.LoadGenerator;

namespace GlmRuntime.Tests.LoadGenerator;

[TestFixture]
public sealed class ServingMetricsTests
{
    [Test]
    public void Percentiles_interpolate_like_numpy()
    {
        Assert.That(GlmRuntime.Diagnostics.Percentiles.Of([4, 1, 3, 2], 50), Is.EqualTo(2.5));
        Assert.That(GlmRuntime.Diagnostics.Percentiles.Of([1, 2, 3, 4], 95), Is.EqualTo(3.85).Within(1e-12));
        Assert.That(GlmRuntime.Diagnostics.Percentiles.Of([7], 99), Is.EqualTo(7));
        Assert.That(GlmRuntime.Diagnostics.Percentiles.Of([], 50), Is.Zero);
    }

    [Test]
    public void Throughputs_latencies_and_server_rates_follow_the_sglang_definitions()
    {
        RequestOutcome[] outcomes =
        [
            new(0, true, null, 100, 11, 40, TtftSeconds: 0.1, E2eSeconds: 1.1, InterChunkSeconds: [0.1, 0.1, 0.8]),
            new(1, true, null, 100, 21, 60, TtftSeconds: 0.3, E2eSeconds: 2.3, InterChunkSeconds: [0.2]),
            new(2, false, "HTTP 500", 100, 0, 0, 0, 0.5, []),
        ];
        var m = ServingMetrics.Compute(4, outcomes, durationSeconds: 4, new ServerCounters(200, 100, 30, 15, 10));
        Assert.Multiple(() =>
        {
            Assert.That(m.Completed, Is.EqualTo(2));
            Assert.That(m.Failed, Is.EqualTo(1));
            Assert.That(m.SuccessRate, Is.EqualTo(2.0 / 3));
            Assert.That(m.RequestThroughput, Is.EqualTo(0.5));
            Assert.That(m.OutputThroughput, Is.EqualTo(32 / 4.0));
            Assert.That(m.TotalThroughput, Is.EqualTo(232 / 4.0));
            Assert.That(m.MedianTtftMs, Is.EqualTo(200).Within(1e-9));
            Assert.That(m.MeanTpotMs, Is.EqualTo((100 + 100) / 2.0).Within(1e-9), "(E2E − TTFT)/(out − 1): 1.0/10 and 2.0/20");
            Assert.That(m.MedianItlMs, Is.EqualTo(150).Within(1e-9), "gaps of every request pooled: 100, 100, 200, 800");
            Assert.That(m.Concurrency, Is.EqualTo(3.4 / 4).Within(1e-9));
            Assert.That(m.CacheHitRate, Is.EqualTo(0.5));
            Assert.That(m.UsageCachedFraction, Is.EqualTo(0.5));
            Assert.That(m.SpecAcceptRate, Is.EqualTo(0.5));
            Assert.That(m.SpecAcceptLength, Is.EqualTo(2.5));
            Assert.That(m.Errors, Is.EqualTo(new[] { "HTTP 500" }));
        });
        var off = ServingMetrics.Compute(1, outcomes[..1], 1, new ServerCounters(0, 0, 0, 0, 0));
        Assert.That((off.CacheHitRate, off.SpecAcceptRate), Is.EqualTo(((double?)null, (double?)null)));
    }
}
