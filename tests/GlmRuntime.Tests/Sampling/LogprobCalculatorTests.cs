using GlmRuntime.Sampling;

namespace GlmRuntime.Tests.Sampling;

[TestFixture]
public sealed class LogprobCalculatorTests
{
    private static double NaiveLogSumExp(float[] logits) => Math.Log(logits.Sum(x => Math.Exp(x)));

    [Test]
    public void Log_sum_exp_matches_the_definition()
    {
        float[] logits = [1f, 3f, 2f, 3f, -1f];
        Assert.That(LogprobCalculator.LogSumExp(logits), Is.EqualTo(NaiveLogSumExp(logits)).Within(1e-6));

        // Longer than one internal chunk.
        var random = new Random(4);
        float[] wide = [.. Enumerable.Range(0, 2000).Select(_ => (float)(random.NextDouble() * 20 - 10))];
        Assert.That(LogprobCalculator.LogSumExp(wide), Is.EqualTo(NaiveLogSumExp(wide)).Within(1e-5));
    }

    [Test]
    public void Log_sum_exp_is_stable_for_large_and_masked_logits()
    {
        Assert.That(LogprobCalculator.LogSumExp([1000f, 1001f]), Is.EqualTo(1001 + Math.Log(1 + Math.Exp(-1))).Within(1e-4));
        Assert.That(LogprobCalculator.LogSumExp([-1000f, -1001f]), Is.EqualTo(-1000 + Math.Log(1 + Math.Exp(-1))).Within(1e-4));
        Assert.That(LogprobCalculator.LogSumExp([float.NegativeInfinity, 0f, float.NegativeInfinity]), Is.EqualTo(0).Within(1e-12));
        Assert.That(LogprobCalculator.LogSumExp([float.NegativeInfinity, float.NegativeInfinity]), Is.EqualTo(double.NegativeInfinity));
        Assert.Throws<ArgumentException>(() => LogprobCalculator.LogSumExp([]));
    }

    [Test]
    public void Top_logprobs_are_the_hand_computed_log_softmax_most_likely_first()
    {
        float[] logits = [1f, 3f, 2f, 3f, -1f];
        double lse = NaiveLogSumExp(logits);
        var top = new TokenLogprob[4];
        Assert.That(LogprobCalculator.TopLogprobs(logits, 4, top), Is.EqualTo(4));
        Assert.That(top.Select(t => t.TokenId), Is.EqualTo(new[] { 1, 3, 2, 0 }), "ties to the lower id");
        Assert.That(top.Select(t => (double)t.Logprob), Is.EqualTo(new[] { 3 - lse, 3 - lse, 2 - lse, 1 - lse }).Within(1e-6));
    }

    [Test]
    public void Top_logprobs_of_a_wide_row_match_a_full_sort_and_normalize()
    {
        var random = new Random(9);
        float[] logits = [.. Enumerable.Range(0, 5000).Select(_ => (float)Math.Round(random.NextDouble() * 30 - 15, 1))];
        var top = new TokenLogprob[20];
        LogprobCalculator.TopLogprobs(logits, 20, top);

        int[] expected = [.. Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(20)];
        Assert.That(top.Select(t => t.TokenId), Is.EqualTo(expected));

        var all = new TokenLogprob[logits.Length];
        LogprobCalculator.TopLogprobs(logits, logits.Length, all);
        Assert.That(all.Sum(t => Math.Exp(t.Logprob)), Is.EqualTo(1).Within(1e-4));
    }

    [Test]
    public void Top_logprobs_clip_n_to_the_vocabulary_and_check_arguments()
    {
        float[] logits = [0f, 1f];
        var destination = new TokenLogprob[5];
        Assert.That(LogprobCalculator.TopLogprobs(logits, 5, destination), Is.EqualTo(2));
        Assert.That(LogprobCalculator.TopLogprobs(logits, 0, []), Is.EqualTo(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogprobCalculator.TopLogprobs(logits, -1, destination));
        Assert.Throws<ArgumentException>(() => LogprobCalculator.TopLogprobs(logits, 2, new TokenLogprob[1]));
    }

    [Test]
    public void Top_logprobs_beyond_the_stack_scratch_use_pooled_indices()
    {
        float[] logits = [.. Enumerable.Range(0, 300).Select(i => (float)(i % 7))];
        var top = new TokenLogprob[100];
        LogprobCalculator.TopLogprobs(logits, 100, top);
        int[] expected = [.. Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(100)];
        Assert.That(top.Select(t => t.TokenId), Is.EqualTo(expected));
    }
}
