using System.Numerics.Tensors;
using GlmRuntime.Sampling;

namespace GlmRuntime.Tests.Sampling;

[TestFixture]
public sealed class RequestSamplerTests
{
    private static readonly float[] Row = [2f, -1f, 3f, 0.5f, -2f, 1f];
    private static readonly int[] NoTokens = [];

    private static float[] Processed(RequestSampler sampler, float[] logits)
    {
        var row = new float[logits.Length];
        sampler.ProcessLogits(logits, row);
        return row;
    }

    /// <summary>A row whose argmax is <paramref name="id"/> by a wide margin, to steer greedy history.</summary>
    private static float[] Favoring(int id, int vocab = 6)
    {
        var row = new float[vocab];
        row[id] = 50f;
        return row;
    }

    private static float[][] RandomRows(int count, int vocab, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray())];
    }

    [Test]
    public void Greedy_with_default_options_is_the_argmax_of_the_raw_logits()
    {
        var sampler = new RequestSampler(SamplingParams.Greedy, [3, 7, 7, 9], [0], vocabSize: 64);
        Assert.That(sampler.IsGreedy, Is.True);
        foreach (float[] row in RandomRows(40, 64, seed: 1))
            Assert.That(sampler.Next(row).TokenId, Is.EqualTo(TensorPrimitives.IndexOfMax(row)));
        Assert.That(sampler.GeneratedCount, Is.EqualTo(40));
        Assert.That(new RequestSampler(new SamplingParams(), NoTokens, NoTokens, 4).IsGreedy, Is.False);
    }

    [Test]
    public void Neutral_processors_leave_the_row_unchanged()
    {
        var sampler = new RequestSampler(new SamplingParams { LogitBias = new Dictionary<int, float>() }, [0, 1, 2], [5], 6);
        sampler.Next(Row);
        Assert.That(Processed(sampler, Row), Is.EqualTo(Row));
    }

    [Test]
    public void Logit_bias_is_added_clamped_to_100_and_ignores_ids_outside_the_vocabulary()
    {
        var bias = new Dictionary<int, float> { [0] = 1.5f, [2] = 250f, [4] = -1000f, [6] = 7f, [99] = 3f };
        var sampler = new RequestSampler(SamplingParams.Greedy with { LogitBias = bias }, NoTokens, NoTokens, 6);
        Assert.That(Processed(sampler, Row), Is.EqualTo(new[] { 3.5f, -1f, 103f, 0.5f, -102f, 1f }));
        Assert.That(sampler.Next(Row).TokenId, Is.EqualTo(2));
    }

    [Test]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_prompt_and_output_tokens()
    {
        // Prompt ids 0 and 1 (repeats count once; 99 is outside the vocabulary and ignored).
        var sampler = new RequestSampler(SamplingParams.Greedy with { RepetitionPenalty = 2 }, [0, 1, 0, 99], NoTokens, 6);
        Assert.That(Processed(sampler, Row), Is.EqualTo(new[] { 1f, -2f, 3f, 0.5f, -2f, 1f }));

        Assert.That(sampler.Next(Row).TokenId, Is.EqualTo(2));
        Assert.That(Processed(sampler, Row), Is.EqualTo(new[] { 1f, -2f, 1.5f, 0.5f, -2f, 1f }));
        Assert.That(sampler.Next(Row).TokenId, Is.EqualTo(2), "2's 1.5 still beats 0's 1");
        Assert.That(Processed(sampler, Row), Is.EqualTo(new[] { 1f, -2f, 1.5f, 0.5f, -2f, 1f }), "applied once per token, not per occurrence");

        var encouraging = new RequestSampler(SamplingParams.Greedy with { RepetitionPenalty = 0.5 }, [1, 5], NoTokens, 6);
        Assert.That(Processed(encouraging, Row), Is.EqualTo(new[] { 2f, -0.5f, 3f, 0.5f, -2f, 2f }));
    }

    [Test]
    public void Frequency_and_presence_penalties_count_output_tokens_only()
    {
        var sampling = SamplingParams.Greedy with { FrequencyPenalty = 0.5, PresencePenalty = 0.25 };
        var sampler = new RequestSampler(sampling, [3, 3, 3], NoTokens, 6);
        Assert.That(Processed(sampler, Row), Is.EqualTo(Row), "the prompt is not penalized");

        foreach (int id in new[] { 1, 1, 2, 1 })
            Assert.That(sampler.Next(Favoring(id)).TokenId, Is.EqualTo(id));

        // id 1: three times → −0.5·3 − 0.25; id 2: once → −0.5 − 0.25.
        Assert.That(Processed(sampler, Row), Is.EqualTo(new[] { 2f, -1f - 1.5f - 0.25f, 3f - 0.75f, 0.5f, -2f, 1f }));

        var presenceOnly = new RequestSampler(SamplingParams.Greedy with { PresencePenalty = -1 }, NoTokens, NoTokens, 6);
        presenceOnly.Next(Favoring(4));
        presenceOnly.Next(Favoring(4));
        Assert.That(Processed(presenceOnly, Row), Is.EqualTo(new[] { 2f, -1f, 3f, 0.5f, -1f, 1f }));
    }

    [Test]
    public void Penalties_apply_in_vllm_order_bias_then_repetition_then_frequency()
    {
        var sampling = SamplingParams.Greedy with
        {
            LogitBias = new Dictionary<int, float> { [1] = 3f },
            RepetitionPenalty = 2,
            FrequencyPenalty = 1,
        };
        var sampler = new RequestSampler(sampling, NoTokens, NoTokens, 6);
        sampler.Next(Favoring(1));
        // id 1: (−1 + 3) / 2 − 1·1 = 0.
        Assert.That(Processed(sampler, Row)[1], Is.EqualTo(0f));
    }

    [Test]
    public void Min_tokens_masks_eos_and_stop_ids_only_until_reached()
    {
        float[] eosFirst = [0f, 1f, 2f, 0f, 9f, 10f]; // eos 5, then stop id 4, then 2
        var sampling = SamplingParams.Greedy with { MinTokens = 2, StopTokenIds = [4] };
        var sampler = new RequestSampler(sampling, NoTokens, [5], 6);

        Assert.That(Processed(sampler, eosFirst), Is.EqualTo(new[] { 0f, 1f, 2f, 0f, float.NegativeInfinity, float.NegativeInfinity }));
        Assert.That(sampler.Next(eosFirst).TokenId, Is.EqualTo(2));
        Assert.That(sampler.Next(eosFirst).TokenId, Is.EqualTo(2));
        Assert.That(Processed(sampler, eosFirst), Is.EqualTo(eosFirst));
        Assert.That(sampler.Next(eosFirst).TokenId, Is.EqualTo(5));

        var ignoringEos = new RequestSampler(sampling with { IgnoreEos = true }, NoTokens, [5], 6);
        Assert.That(Processed(ignoringEos, eosFirst), Is.EqualTo(new[] { 0f, 1f, 2f, 0f, float.NegativeInfinity, 10f }));
    }

    [Test]
    public void Logprobs_are_the_log_softmax_of_the_raw_logits_with_ordered_alternatives()
    {
        float[] logits = [1f, 3f, 2f, 3f, -1f];
        double lse = Math.Log(logits.Sum(x => Math.Exp(x)));
        var sampling = SamplingParams.Greedy with { Logprobs = 3, RepetitionPenalty = 1.5 };
        var sampler = new RequestSampler(sampling, [1], NoTokens, 5);

        // The penalty moves the choice to id 3 (1 is in the prompt); logprobs still describe the raw row.
        var token = sampler.Next(logits);
        Assert.That(token.TokenId, Is.EqualTo(3));
        Assert.That(token.Logprobs!.Token.TokenId, Is.EqualTo(3));
        Assert.That(token.Logprobs.Token.Logprob, Is.EqualTo(3 - lse).Within(1e-6));
        Assert.That(token.Logprobs.TopLogprobs.Select(t => t.TokenId), Is.EqualTo(new[] { 1, 3, 2 }), "ties to the lower id");
        Assert.That(token.Logprobs.TopLogprobs.Select(t => (double)t.Logprob), Is.EqualTo(new[] { 3 - lse, 3 - lse, 2 - lse }).Within(1e-6));
    }

    [Test]
    public void The_chosen_token_has_its_logprob_even_outside_the_top_n()
    {
        float[] logits = [1f, 3f, 2f, 3f, -1f];
        double lse = Math.Log(logits.Sum(x => Math.Exp(x)));
        var sampling = SamplingParams.Greedy with { Logprobs = 1, LogitBias = new Dictionary<int, float> { [4] = 100 } };
        var token = new RequestSampler(sampling, NoTokens, NoTokens, 5).Next(logits);

        Assert.That(token.TokenId, Is.EqualTo(4));
        Assert.That(token.Logprobs!.Token, Is.EqualTo(new TokenLogprob(4, token.Logprobs.Token.Logprob)));
        Assert.That(token.Logprobs.Token.Logprob, Is.EqualTo(-1 - lse).Within(1e-6));
        Assert.That(token.Logprobs.TopLogprobs.Select(t => t.TokenId), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Logprobs_zero_returns_only_the_chosen_token_and_null_returns_none()
    {
        float[] logits = [0f, MathF.Log(3f)];
        var zero = new RequestSampler(SamplingParams.Greedy with { Logprobs = 0 }, NoTokens, NoTokens, 2).Next(logits);
        Assert.That(zero.Logprobs!.TopLogprobs, Is.Empty);
        Assert.That(zero.Logprobs.Token.Logprob, Is.EqualTo(Math.Log(0.75)).Within(1e-6));

        Assert.That(new RequestSampler(SamplingParams.Greedy, NoTokens, NoTokens, 2).Next(logits).Logprobs, Is.Null);
    }

    [Test]
    public void The_same_seed_gives_the_same_tokens_whatever_other_requests_do()
    {
        var sampling = new SamplingParams { Temperature = 1.0, TopK = 20, Seed = 7, RepetitionPenalty = 1.2, FrequencyPenalty = 0.3 };
        float[][] rows = RandomRows(120, 50, seed: 2);
        float[][] otherRows = RandomRows(240, 50, seed: 3);

        var a = new RequestSampler(sampling, [1, 2, 3], [0], 50);
        var b = new RequestSampler(sampling, [1, 2, 3], [0], 50);
        var other = new RequestSampler(sampling with { Seed = null, Temperature = 1.5 }, [4], [0], 50);
        var fromA = new List<int>();
        var fromB = new List<int>();
        for (int i = 0; i < rows.Length; i++)
        {
            fromA.Add(a.Next(rows[i]).TokenId);
            other.Next(otherRows[2 * i]);
            other.Next(otherRows[2 * i + 1]);
            fromB.Add(b.Next(rows[i]).TokenId);
        }

        var alone = new RequestSampler(sampling, [1, 2, 3], [0], 50);
        var fromAlone = rows.Select(r => alone.Next(r).TokenId).ToList();
        Assert.That(fromB, Is.EqualTo(fromA));
        Assert.That(fromAlone, Is.EqualTo(fromA));
        Assert.That(fromA.Distinct().Count(), Is.GreaterThan(10), "the rows were sampled, not argmaxed");

        var reseeded = new RequestSampler(sampling with { Seed = 8 }, [1, 2, 3], [0], 50);
        Assert.That(rows.Select(r => reseeded.Next(r).TokenId), Is.Not.EqualTo(fromA));
    }

    [Test]
    public void A_steady_state_step_allocates_nothing_without_logprobs()
    {
        var sampling = new SamplingParams
        {
            TopK = 8, TopP = 0.9, RepetitionPenalty = 1.1, FrequencyPenalty = 0.2, PresencePenalty = 0.1, MinTokens = 100,
            LogitBias = new Dictionary<int, float> { [3] = 1f }, StopTokenIds = [7], Seed = 1,
        };
        float[][] rows = RandomRows(8, 64, seed: 5);
        var sampler = new RequestSampler(sampling, [1, 2], [0], 64);
        for (int i = 0; i < 400; i++)
            sampler.Next(rows[i % rows.Length]); // seeded: no new id appears after this, so the history lists stop growing

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
            sampler.Next(rows[i % rows.Length]);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Next_reads_the_row_without_changing_it_and_checks_its_length()
    {
        float[] logits = [.. Row];
        var sampler = new RequestSampler(SamplingParams.Greedy with { RepetitionPenalty = 2, PresencePenalty = 1 }, [0, 2], [5], 6);
        sampler.Next(logits);
        Assert.That(logits, Is.EqualTo(Row));
        Assert.Throws<ArgumentException>(() => sampler.Next(new float[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestSampler(SamplingParams.Greedy, NoTokens, NoTokens, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestSampler(new SamplingParams { Logprobs = 21 }, NoTokens, NoTokens, 6));
    }
}
