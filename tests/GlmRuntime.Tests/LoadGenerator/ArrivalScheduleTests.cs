using GlmRuntime.LoadGenerator;

namespace GlmRuntime.Tests.LoadGenerator;

[TestFixture]
public sealed class ArrivalScheduleTests
{
    private static (double Mean, double Cv) GapStatistics(TimeSpan[] offsets)
    {
        double[] gaps = offsets.Select((t, i) => (t - (i == 0 ? TimeSpan.Zero : offsets[i - 1])).TotalSeconds).ToArray();
        double mean = gaps.Average();
        double sd = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / (gaps.Length - 1));
        return (mean, sd / mean);
    }

    [TestCase(1.0, 1.0)]
    [TestCase(4.0, 0.5)]
    [TestCase(0.25, 2.0)]
    public void Gaps_are_gamma_distributed_and_the_last_request_lands_at_count_over_rate(double burstiness, double expectedCv)
    {
        const int count = 20_000;
        const double rate = 8;
        var offsets = ArrivalSchedule.Create(count, rate, burstiness, seed: 3);
        Assert.That(offsets, Is.Ordered);
        Assert.That(offsets[^1].TotalSeconds, Is.EqualTo(count / rate).Within(1e-6), "rescaled so the run lasts count/rate");
        var (mean, cv) = GapStatistics(offsets);
        Assert.That(mean, Is.EqualTo(1 / rate).Within(1e-3));
        // Exponential gaps (Poisson) have a coefficient of variation of 1; Gamma(k) has 1/sqrt(k).
        Assert.That(cv, Is.EqualTo(expectedCv).Within(expectedCv * 0.05));
    }

    [Test]
    public void An_infinite_rate_sends_everything_at_once_and_bad_values_are_refused()
    {
        Assert.That(ArrivalSchedule.Create(5, double.PositiveInfinity), Is.All.EqualTo(TimeSpan.Zero));
        Assert.That(() => ArrivalSchedule.Create(5, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("rate"));
        Assert.That(() => ArrivalSchedule.Create(5, 1, burstiness: -1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("burstiness"));
        Assert.That(ArrivalSchedule.Create(50, 2, seed: 9), Is.EqualTo(ArrivalSchedule.Create(50, 2, seed: 9)), "seeded");
    }

    [TestCase(0.5)]
    [TestCase(1.0)]
    [TestCase(3.0)]
    public void The_gamma_sampler_has_the_right_mean_and_variance(double shape)
    {
        var random = new Random(11);
        double[] draws = Enumerable.Range(0, 100_000).Select(_ => ArrivalSchedule.Gamma(random, shape)).ToArray();
        double mean = draws.Average();
        double variance = draws.Sum(d => (d - mean) * (d - mean)) / (draws.Length - 1);
        Assert.That(mean, Is.EqualTo(shape).Within(shape * 0.02));
        Assert.That(variance, Is.EqualTo(shape).Within(shape * 0.05));
    }
}
