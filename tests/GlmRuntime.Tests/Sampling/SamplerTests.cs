using GlmRuntime.Sampling;

namespace GlmRuntime.Tests.Sampling;

[TestFixture]
public sealed class SamplerTests
{
    private static readonly float[] Logits = [1f, 3f, 2f, 3f, -1f];

    [Test]
    public void Temperature_zero_is_argmax_with_ties_to_the_lowest_id() =>
        Assert.That(Sampler.Sample(Logits, SamplingParams.Greedy, new Random(1)), Is.EqualTo(1));

    [Test]
    public void Top_k_one_is_greedy_at_any_temperature() =>
        Assert.That(Sampler.Sample(Logits, new SamplingParams { Temperature = 5, TopK = 1 }, new Random(1)), Is.EqualTo(1));

    [Test]
    public void The_same_seed_gives_the_same_draws()
    {
        var p = new SamplingParams { Temperature = 1.5 };
        var r1 = new Random(42);
        var r2 = new Random(42);
        var first = Enumerable.Range(0, 50).Select(_ => Sampler.Sample(Logits, p, r1)).ToArray();
        var second = Enumerable.Range(0, 50).Select(_ => Sampler.Sample(Logits, p, r2)).ToArray();
        Assert.That(first, Is.EqualTo(second));
        Assert.That(first.Distinct().Count(), Is.GreaterThan(2), "temperature 1.5 spreads the draws");
    }

    [Test]
    public void Top_k_and_top_p_restrict_the_candidates()
    {
        var random = new Random(5);
        var topK = Enumerable.Range(0, 300).Select(_ => Sampler.Sample(Logits, new SamplingParams { Temperature = 1, TopK = 3 }, random)).ToHashSet();
        Assert.That(topK, Is.EquivalentTo(new[] { 1, 2, 3 }));

        // p(1) = p(3) ≈ 0.39 each, p(2) ≈ 0.14: top_p 0.5 keeps ids 1 and 3 only.
        var topP = Enumerable.Range(0, 300).Select(_ => Sampler.Sample(Logits, new SamplingParams { Temperature = 1, TopP = 0.5 }, random)).ToHashSet();
        Assert.That(topP, Is.EquivalentTo(new[] { 1, 3 }));

        // min_p 0.5 keeps tokens with at least half the best probability: ids 1 and 3.
        var minP = Enumerable.Range(0, 300).Select(_ => Sampler.Sample(Logits, new SamplingParams { Temperature = 1, MinP = 0.5 }, random)).ToHashSet();
        Assert.That(minP, Is.EquivalentTo(new[] { 1, 3 }));
    }

    [Test]
    public void Top_k_ties_at_the_cut_keep_the_lower_ids()
    {
        float[] logits = [1f, 2f, 2f, 2f, 0f];
        var random = new Random(3);
        var drawn = Enumerable.Range(0, 300).Select(_ => Sampler.Sample(logits, new SamplingParams { TopK = 2 }, random)).ToHashSet();
        Assert.That(drawn, Is.EquivalentTo(new[] { 1, 2 }));
    }

    [Test]
    public void Top_k_then_top_p_cut_the_sorted_prefix()
    {
        // p = 16, 8, 4, 2, 1 (/31) for ids 0..4. Top-k 3 keeps ids 0, 1, 2; top-p 0.7 then keeps 0 and 1
        // (24/31 ≥ 0.7), drawn as 2/3 and 1/3.
        float[] logits = [.. new[] { 16, 8, 4, 2, 1 }.Select(x => MathF.Log(x))];
        var random = new Random(8);
        var sampling = new SamplingParams { TopK = 3, TopP = 0.7 };
        int[] counts = new int[5];
        for (int i = 0; i < 20000; i++)
            counts[Sampler.Sample(logits, sampling, random)]++;
        Assert.That(counts[2..], Is.All.Zero);
        Assert.That(counts[0] / 20000.0, Is.EqualTo(2.0 / 3).Within(0.02));
    }

    [Test]
    public void Min_p_alone_renormalizes_over_the_tokens_it_keeps()
    {
        // p ∝ 4, 2, 1: min_p 0.4 keeps ids 0 and 1 with 2/3 and 1/3.
        float[] logits = [MathF.Log(4), MathF.Log(2), 0f];
        var random = new Random(12);
        int ones = 0;
        for (int i = 0; i < 20000; i++)
        {
            int id = Sampler.Sample(logits, new SamplingParams { MinP = 0.4 }, random);
            Assert.That(id, Is.Not.EqualTo(2));
            ones += id;
        }
        Assert.That(ones / 20000.0, Is.EqualTo(1.0 / 3).Within(0.02));
    }

    [Test]
    public void Frequencies_follow_the_softmax()
    {
        float[] logits = [0f, MathF.Log(3f)]; // p = 0.25, 0.75
        var random = new Random(11);
        int ones = Enumerable.Range(0, 20000).Count(_ => Sampler.Sample(logits, new SamplingParams(), random) == 1);
        Assert.That(ones / 20000.0, Is.EqualTo(0.75).Within(0.02));
    }

    [TestCase(-0.1, 1.0, 0.0, 16, "Temperature")]
    [TestCase(1.0, 0.0, 0.0, 16, "TopP")]
    [TestCase(1.0, 1.5, 0.0, 16, "TopP")]
    [TestCase(1.0, 1.0, 2.0, 16, "MinP")]
    [TestCase(1.0, 1.0, 0.0, 0, "MaxTokens")]
    public void Invalid_options_name_themselves(double temperature, double topP, double minP, int maxTokens, string name)
    {
        var p = new SamplingParams { Temperature = temperature, TopP = topP, MinP = minP, MaxTokens = maxTokens };
        var error = Assert.Throws<ArgumentOutOfRangeException>(p.Validate);
        Assert.That(error!.ParamName, Is.EqualTo(name));
    }
}
