using System.Diagnostics.Metrics;
using GlmRuntime.Tests.Engine;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Speculative;

/// <summary>
/// On a checkpoint whose MTP layer predicts exactly what the target produces, every draft is accepted: S + 1
/// tokens per target forward, output identical to decoding without speculation; and a finish inside an accepted
/// run (max tokens, a stop token, a stop string) discards what follows it.
/// </summary>
[TestFixture]
public sealed class PerfectDraftTests
{
    private TempDirectory _model = null!;
    private TempDirectory _textModel = null!;

    [OneTimeSetUp]
    public void Create()
    {
        _model = PerfectDraftModel.Create();
        _textModel = PerfectDraftModel.CreateWithTokenizer();
    }

    [OneTimeTearDown]
    public void Remove()
    {
        _model.Dispose();
        _textModel.Dispose();
    }

    [TestCase(3)]
    [TestCase(5)]
    public async Task Every_draft_is_accepted_and_each_forward_yields_steps_plus_one_tokens(int steps)
    {
        const int maxTokens = 61;
        int[] prompt = [10, 20, 30, 40, 50];
        var plain = await Generate(_model.Path, null, prompt, EngineWorkloads.Greedy(maxTokens));

        var options = new GlmEngineOptions { Speculative = new SpeculativeDecodingOptions { Steps = steps }, VerifyPagesEachStep = true };
        await using var engine = await GlmEngine.LoadAsync(_model.Path, options);
        var result = await engine.GenerateAsync(prompt, EngineWorkloads.Greedy(maxTokens));
        Assert.That(result.OutputTokenIds, Is.EqualTo(plain.OutputTokenIds));

        var statistics = result.Usage.Speculative!;
        Assert.That(statistics.AcceptedTokenCount, Is.EqualTo(statistics.DraftTokenCount), "a perfect draft is never rejected");
        for (int k = 0; k < steps; k++)
            Assert.That(statistics.AcceptanceRateAt(k), Is.EqualTo(1.0), $"position {k}");
        // The prefill yields the first token; then rounds of S + 1 until the last round, which drafts only what is left.
        int rounds = (maxTokens - 1 + steps) / (steps + 1);
        Assert.That(statistics.RoundCount, Is.EqualTo(rounds));
        Assert.That(statistics.DraftTokenCount + statistics.RoundCount, Is.EqualTo(maxTokens - 1));
        Assert.That(engine.GetStatistics().StepCount, Is.EqualTo(1 + rounds), "one target forward per round");
        if ((maxTokens - 1) % (steps + 1) == 0)
            Assert.That(statistics.MeanTokensPerTargetForward, Is.EqualTo(steps + 1));
    }

    [Test]
    public async Task The_pre_norm_draft_state_is_as_exact()
    {
        int[] prompt = [7, 8, 9];
        var plain = await Generate(_model.Path, null, prompt, EngineWorkloads.Greedy(30));
        var options = new SpeculativeDecodingOptions { Steps = 5, DraftState = MtpDraftState.PreNorm };
        var result = await Generate(_model.Path, options, prompt, EngineWorkloads.Greedy(30));
        Assert.That(result.OutputTokenIds, Is.EqualTo(plain.OutputTokenIds));
        Assert.That(result.Usage.Speculative!.AcceptanceRate, Is.EqualTo(1.0));
    }

    [Test]
    public async Task Max_tokens_inside_an_accepted_run_discards_the_rest()
    {
        int[] prompt = [1, 2, 3, 4];
        var plain = await Generate(_model.Path, null, prompt, EngineWorkloads.Greedy(9));
        var result = await Generate(_model.Path, new SpeculativeDecodingOptions { Steps = 5 }, prompt, EngineWorkloads.Greedy(9));
        Assert.That(result.OutputTokenIds, Is.EqualTo(plain.OutputTokenIds));
        Assert.That(result.FinishReason, Is.EqualTo(FinishReason.Length));
    }

    [Test]
    public async Task A_stop_token_inside_an_accepted_run_ends_the_output_there()
    {
        int[] prompt = [11, 12, 13];
        var reference = await Generate(_model.Path, null, prompt, EngineWorkloads.Greedy(40));
        // A token first produced mid-run: everything after its first occurrence must be dropped.
        var ids = reference.OutputTokenIds.ToList();
        int at = Enumerable.Range(3, 30).First(i => ids.IndexOf(ids[i]) == i && i % 6 != 0);
        int stop = ids[at];
        var sampling = EngineWorkloads.Greedy(40) with { StopTokenIds = [stop] };
        var plain = await Generate(_model.Path, null, prompt, sampling);
        var result = await Generate(_model.Path, new SpeculativeDecodingOptions { Steps = 5 }, prompt, sampling);
        Assert.That(plain.OutputTokenIds, Has.Count.EqualTo(at + 1));
        Assert.That(result.OutputTokenIds, Is.EqualTo(plain.OutputTokenIds));
        Assert.That(result.FinishReason, Is.EqualTo(FinishReason.Stop));
    }

    [Test]
    public async Task A_stop_string_inside_an_accepted_run_ends_the_text_there()
    {
        const string prompt = "The quick brown fox";
        var reference = await GenerateText(null, prompt, new SamplingParams { Temperature = 0, MaxTokens = 40, IgnoreEos = true });
        Assume.That(reference.Text.Length, Is.GreaterThan(12), "the demo tokenizer decodes the output to text");
        string stop = reference.Text.Substring(reference.Text.Length / 2, 3);
        var sampling = new SamplingParams { Temperature = 0, MaxTokens = 40, IgnoreEos = true, Stop = [stop] };
        var plain = await GenerateText(null, prompt, sampling);
        var result = await GenerateText(new SpeculativeDecodingOptions { Steps = 5 }, prompt, sampling);
        Assert.That(result.Text, Is.EqualTo(plain.Text));
        Assert.That(result.Text, Does.Not.Contain(stop));
        Assert.That(result.OutputTokenIds, Is.EqualTo(plain.OutputTokenIds));
        Assert.That(result.FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(result.Usage.Speculative!.RoundCount, Is.GreaterThan(0));
    }

    [Test]
    public async Task The_meter_reports_rounds_drafts_and_acceptance_per_position()
    {
        var totals = new Dictionary<string, long>();
        var perPosition = new Dictionary<int, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GlmEngine.MeterName && instrument.Name.StartsWith("glm.spec_decode.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (totals)
            {
                totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
                foreach (var tag in tags)
                {
                    if (tag.Key == "position")
                        perPosition[(int)tag.Value!] = perPosition.GetValueOrDefault((int)tag.Value!) + value;
                }
            }
        });
        listener.Start();

        var options = new GlmEngineOptions { Speculative = new SpeculativeDecodingOptions { Steps = 3 } };
        await using var engine = await GlmEngine.LoadAsync(_model.Path, options);
        await engine.GenerateAsync([3, 1, 4, 1, 5], EngineWorkloads.Greedy(17));   // 1 + 4 rounds of 4
        var statistics = engine.GetStatistics().Speculative!;
        Assert.That(statistics.RoundCount, Is.EqualTo(4));
        Assert.That(statistics.MeanTokensPerTargetForward, Is.EqualTo(4.0));
        lock (totals)
        {
            Assert.That(totals["glm.spec_decode.num_drafts"], Is.EqualTo(4));
            Assert.That(totals["glm.spec_decode.num_draft_tokens"], Is.EqualTo(12));
            Assert.That(totals["glm.spec_decode.num_accepted_tokens"], Is.EqualTo(12));
            Assert.That(totals["glm.spec_decode.tokens_per_forward"], Is.EqualTo(16));
            Assert.That(perPosition, Is.EquivalentTo(new Dictionary<int, long> { [0] = 4, [1] = 4, [2] = 4 }));
        }
    }

    private static async Task<GenerationResult> Generate(string model, SpeculativeDecodingOptions? speculative, int[] prompt, SamplingParams sampling)
    {
        await using var engine = await GlmEngine.LoadAsync(model, new GlmEngineOptions { Speculative = speculative, VerifyPagesEachStep = true });
        return await engine.GenerateAsync(prompt, sampling);
    }

    private async Task<GenerationResult> GenerateText(SpeculativeDecodingOptions? speculative, string prompt, SamplingParams sampling)
    {
        await using var engine = await GlmEngine.LoadAsync(_textModel.Path, new GlmEngineOptions { Speculative = speculative, VerifyPagesEachStep = true });
        return await engine.GenerateAsync(prompt, sampling);
    }
}
