using GlmRuntime.Sampling;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Speculative;

/// <summary>
/// Speculative sampling is exact: verifying a deterministic draft (accept with p(d), else draw from p with d
/// removed) yields tokens distributed as the target's processed distribution, row by row and end to end.
/// </summary>
[TestFixture]
public sealed class SpeculativeSamplingTests
{
    private const double Alpha = 0.001;

    public static IEnumerable<TestCaseData> Configurations()
    {
        yield return new TestCaseData(new SamplingParams { Temperature = 1.0 }).SetName("Verify_row_plain_temperature");
        yield return new TestCaseData(new SamplingParams { Temperature = 0.8, TopK = 5 }).SetName("Verify_row_top_k");
        yield return new TestCaseData(new SamplingParams { Temperature = 0.7, TopP = 0.8 }).SetName("Verify_row_top_p");
        yield return new TestCaseData(new SamplingParams { Temperature = 1.2, MinP = 0.1 }).SetName("Verify_row_min_p");
        yield return new TestCaseData(new SamplingParams { Temperature = 1.0, TopK = 8, TopP = 0.9, RepetitionPenalty = 1.3 }).SetName("Verify_row_penalized");
    }

    [TestCaseSource(nameof(Configurations))]
    public void A_verified_row_is_distributed_as_the_processed_distribution(SamplingParams sampling)
    {
        const int vocab = 16, draws = 20_000;
        var random = new Random(5);
        var logits = Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        int[] prompt = [3, 9];
        var reference = new RequestSampler(sampling, prompt, [], vocab);
        var processed = new float[vocab];
        reference.ProcessLogits(logits, processed);
        var p = new float[vocab];
        Sampler.Distribution(processed, sampling, p);
        Assert.That(p.Sum(), Is.EqualTo(1f).Within(1e-5));

        int likely = Array.IndexOf(p, p.Max());
        int unlikely = Enumerable.Range(0, vocab).Where(i => p[i] == 0).DefaultIfEmpty(Array.IndexOf(p, p.Where(x => x > 0).Min())).First();
        foreach (int draft in new[] { likely, unlikely })
        {
            var counts = new int[vocab];
            int accepted = 0;
            for (int i = 0; i < draws; i++)
            {
                // A fresh sampler per draw: same history (the prompt), its own seed, as a request would be.
                var sampler = new RequestSampler(sampling with { Seed = i }, prompt, [], vocab);
                int token = sampler.NextGivenDraft(logits, draft, out bool match).TokenId;
                Assert.That(match, Is.EqualTo(token == draft));
                counts[token]++;
                if (match)
                    accepted++;
            }
            double statistic = 0;
            int categories = 0;
            for (int t = 0; t < vocab; t++)
            {
                if (p[t] == 0)
                {
                    Assert.That(counts[t], Is.Zero, $"token {t} has probability 0 after filtering");
                    continue;
                }
                double expected = p[t] * draws;
                statistic += (counts[t] - expected) * (counts[t] - expected) / expected;
                categories++;
            }
            double pValue = ChiSquare.UpperTail(statistic, Math.Max(1, categories - 1));
            Assert.That(pValue, Is.GreaterThanOrEqualTo(Alpha), $"draft {draft}: chi-square {statistic:F1} on {categories - 1} df");
            Assert.That((double)accepted / draws, Is.EqualTo(p[draft]).Within(0.02), "a draft is accepted with its probability");
        }
    }

    [Test]
    public void A_greedy_request_accepts_exactly_the_argmax()
    {
        var logits = new float[] { 0.1f, 2f, -1f, 1.9f };
        var sampler = new RequestSampler(SamplingParams.Greedy, [0], [], 4);
        Assert.That(sampler.NextGivenDraft(logits, 1, out bool first).TokenId, Is.EqualTo(1));
        Assert.That(first, Is.True);
        Assert.That(sampler.NextGivenDraft(logits, 3, out bool second).TokenId, Is.EqualTo(1));
        Assert.That(second, Is.False);
    }

    [Test]
    public void The_chi_square_tail_matches_known_quantiles()
    {
        Assert.That(ChiSquare.UpperTail(3.841, 1), Is.EqualTo(0.05).Within(1e-4));
        Assert.That(ChiSquare.UpperTail(18.307, 10), Is.EqualTo(0.05).Within(1e-4));
        Assert.That(ChiSquare.UpperTail(29.588, 10), Is.EqualTo(0.001).Within(1e-5));
        Assert.That(ChiSquare.UpperTail(100, 100), Is.EqualTo(0.4811).Within(1e-3));
    }

    /// <summary>
    /// ≥ 2,000 seeds: the first three generated tokens have the same joint distribution with speculation (3/1/4)
    /// as without, on a random-weight model (its drafts are nearly always rejected) and on the perfect-draft model
    /// (its drafts are the target's argmax, accepted with the argmax's probability).
    /// </summary>
    [TestCase("tiny-glm5")]
    [TestCase("perfect-draft")]
    public async Task The_first_three_tokens_are_distributed_as_without_speculation(string model)
    {
        const int seeds = 2400;
        using var perfect = model == "perfect-draft" ? PerfectDraftModel.Create() : null;
        string directory = perfect?.Path ?? SharedData.PathOf("models", model);
        int[] prompt = [5, 17, 99, 200, 3, 42, 7];
        var sampling = new SamplingParams { Temperature = 1.0, TopK = 4, MaxTokens = 3, IgnoreEos = true };

        // Disjoint seeds: the two samples must be independent for the test to mean anything.
        var plain = await Triples(directory, null, prompt, sampling, firstSeed: 0, seeds);
        var speculative = await Triples(directory, SpeculativeDecodingOptions.Glm5Recipe, prompt, sampling, firstSeed: seeds, seeds);
        var (pValue, statistic, df) = ChiSquare.TwoSample(plain.Counts, speculative.Counts);
        Assert.That(pValue, Is.GreaterThanOrEqualTo(Alpha), $"chi-square {statistic:F1} on {df} df");
        Assert.That(df, Is.GreaterThan(8), "the test needs several outcomes to mean anything");
        var statistics = speculative.Statistics!;
        Assert.That(statistics.RoundCount, Is.GreaterThanOrEqualTo(seeds), "every request speculated");
        if (perfect is not null)
            Assert.That(statistics.AcceptanceRate, Is.InRange(0.05, 0.95), "both the accept and the reject path ran");
    }

    private static async Task<(Dictionary<(int, int, int), int> Counts, SpeculativeDecodingStatistics? Statistics)> Triples(
        string model, SpeculativeDecodingOptions? speculative, int[] prompt, SamplingParams sampling, int firstSeed, int seeds)
    {
        await using var engine = await GlmEngine.LoadAsync(model, new GlmEngineOptions { Speculative = speculative, MaxRunningRequests = 256 });
        var requests = Enumerable.Range(firstSeed, seeds)
            .Select(seed => new GenerationRequest { PromptTokenIds = prompt, Sampling = sampling with { Seed = seed } }).ToList();
        var results = await engine.GenerateBatchAsync(requests);
        var counts = new Dictionary<(int, int, int), int>();
        foreach (var result in results)
        {
            var t = result.OutputTokenIds;
            Assert.That(t, Has.Count.EqualTo(3));
            var key = (t[0], t[1], t[2]);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return (counts, engine.GetStatistics().Speculative);
    }
}
