using GlmRuntime.Tests.Engine;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Speculative;

/// <summary>Configuration, statistics, cancellation and per-request determinism of speculative decoding in the engine.</summary>
[TestFixture]
public sealed class SpeculativeEngineTests
{
    private static readonly string Model = SharedData.PathOf("models", "tiny-glm5");

    [TestCase("3/1/4", 3)]
    [TestCase("5/1/6", 5)]
    [TestCase("1/1/2", 1)]
    public void The_sglang_triple_parses(string text, int steps)
    {
        var options = SpeculativeDecodingOptions.Parse(text);
        Assert.That(options.Steps, Is.EqualTo(steps));
        Assert.That(options.TopK, Is.EqualTo(1));
        Assert.That(options.VerifyTokenCount, Is.EqualTo(steps + 1));
        Assert.That(options.ToString(), Is.EqualTo(text));
    }

    [TestCase("3/2/4", "TopK")]
    [TestCase("3/1/5", "DraftTokens")]
    [TestCase("0/1/1", "Steps")]
    [TestCase("3/1", "steps/topk/draft-tokens")]
    [TestCase("a/1/2", "steps/topk/draft-tokens")]
    public void A_bad_triple_is_refused_naming_what_is_wrong(string text, string named)
    {
        var error = Assert.Throws<FormatException>(() => SpeculativeDecodingOptions.Parse(text));
        Assert.That(error!.Message, Does.Contain(named));
    }

    [Test]
    public void Engine_options_validate_the_speculative_options()
    {
        var options = new GlmEngineOptions { Speculative = new SpeculativeDecodingOptions { Steps = 3, TopK = 4 } };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.That(error!.ParamName, Is.EqualTo("TopK"));
        Assert.That(new GlmEngineOptions().Speculative, Is.Null, "off by default");
    }

    [Test]
    public void A_model_without_an_mtp_layer_is_refused_with_the_config_key()
    {
        using var noMtp = ModelVariants.WithConfig("tiny-glm5", c => c["num_nextn_predict_layers"] = 0);
        var error = Assert.ThrowsAsync<InvalidOperationException>(() =>
            GlmEngine.LoadAsync(noMtp.Path, new GlmEngineOptions { Speculative = SpeculativeDecodingOptions.Glm5Recipe }));
        Assert.That(error!.Message, Does.Contain("num_nextn_predict_layers").And.Contain("Speculative"));
    }

    [Test]
    public async Task Usage_reports_speculation_per_request_and_nothing_when_off()
    {
        await using (var engine = await GlmEngine.LoadAsync(Model, new GlmEngineOptions { Speculative = SpeculativeDecodingOptions.Glm5Recipe }))
        {
            var result = await engine.GenerateAsync([4, 5, 6], EngineWorkloads.Greedy(20));
            var statistics = result.Usage.Speculative!;
            Assert.That(statistics.RoundCount, Is.InRange(5, 19), "1 to 4 tokens per round after the first token");
            Assert.That(statistics.DraftedPerPosition, Has.Count.EqualTo(3));
            // 19 tokens after the prefill's: a + 1 per round, and a plain decode when a single token is left to emit.
            Assert.That(statistics.AcceptedTokenCount + statistics.RoundCount, Is.InRange(18, 19));
            Assert.That(engine.GetStatistics().Speculative, Is.EqualTo(statistics).Using<SpeculativeDecodingStatistics>(SameCounts));
        }
        await using (var plain = await GlmEngine.LoadAsync(Model))
        {
            var result = await plain.GenerateAsync([4, 5, 6], EngineWorkloads.Greedy(5));
            Assert.That(result.Usage.Speculative, Is.Null);
            Assert.That(plain.GetStatistics().Speculative, Is.Null);
        }
    }

    [Test]
    public async Task Seeded_speculative_sampling_does_not_depend_on_the_batch()
    {
        var workload = EngineWorkloads.Mixed(12, maxLength: 40, maxTokens: 20, seed: 3);
        var options = new GlmEngineOptions { Speculative = new SpeculativeDecodingOptions { Steps = 4 }, PageSize = 16, VerifyPagesEachStep = true };
        await using var engine = await GlmEngine.LoadAsync(Model, options);
        var alone = new List<IReadOnlyList<int>>();
        for (int i = 0; i < workload.Count; i++)
            alone.Add((await engine.GenerateAsync(workload[i].Prompt, EngineWorkloads.Seeded(workload[i].MaxTokens, 50 + i))).OutputTokenIds);
        var batch = await engine.GenerateBatchAsync(workload.Select((w, i) => GenerationRequest.FromTokens(w.Prompt, EngineWorkloads.Seeded(w.MaxTokens, 50 + i))).ToList());
        for (int i = 0; i < workload.Count; i++)
            Assert.That(batch[i].OutputTokenIds, Is.EqualTo(alone[i]), $"request {i}");
    }

    [Test]
    public async Task Cancelling_between_rounds_frees_every_page()
    {
        using var perfect = PerfectDraftModel.Create();
        var options = new GlmEngineOptions { Speculative = new SpeculativeDecodingOptions { Steps = 5 }, PageSize = 4, VerifyPagesEachStep = true };
        await using var engine = await GlmEngine.LoadAsync(perfect.Path, options);
        using var cancellation = new CancellationTokenSource();
        int updates = 0;
        Assert.That(async () =>
        {
            await foreach (var update in engine.GenerateStreamingAsync(Enumerable.Range(0, 30).ToArray(), EngineWorkloads.Greedy(400), cancellation.Token))
            {
                if (++updates == 9)
                    cancellation.Cancel();   // mid-round: the round's six tokens arrive as six updates
            }
        }, Throws.InstanceOf<OperationCanceledException>());
        var statistics = await EngineSoakTests.Idle(engine);
        Assert.That(statistics.RunningRequestCount, Is.Zero);
        Assert.That(statistics.InUsePageCount, Is.Zero);
        Assert.That(statistics.FreePageCount + statistics.CachedPageCount, Is.EqualTo(statistics.TotalPageCount));
        var next = await engine.GenerateAsync([1, 2, 3], EngineWorkloads.Greedy(12));
        Assert.That(next.OutputTokenIds, Has.Count.EqualTo(12), "the engine keeps serving");
    }

    private static bool SameCounts(SpeculativeDecodingStatistics a, SpeculativeDecodingStatistics b) =>
        a.RoundCount == b.RoundCount && a.DraftTokenCount == b.DraftTokenCount && a.AcceptedTokenCount == b.AcceptedTokenCount
        && a.DraftedPerPosition.SequenceEqual(b.DraftedPerPosition) && a.AcceptedPerPosition.SequenceEqual(b.AcceptedPerPosition);
}
