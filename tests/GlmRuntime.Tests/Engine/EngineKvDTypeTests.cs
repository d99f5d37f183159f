using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Engine;

/// <summary>bf16 and fp8 KV pages serve the same model as float32 pages, within their rounding.</summary>
[TestFixture]
public sealed class EngineKvDTypeTests
{
    private static readonly string Model = SharedData.PathOf("models", "tiny-glm5");

    /// <summary>
    /// fp8 pages store exactly the production format: the engine's logprobs equal a contiguous forward whose cache
    /// rounds c_kv to e4m3 with one scale per 128 values and k_rope and the indexer keys to bf16.
    /// </summary>
    [Test]
    public async Task Fp8_pages_equal_a_forward_over_independently_rounded_caches()
    {
        var prompt = Enumerable.Range(0, 120).Select(i => (i * 53 + 7) % 256).ToArray();
        await using var engine = await GlmEngine.LoadAsync(Model, new GlmEngineOptions { PageSize = 16, KvCacheDType = KvCacheDType.Float8E4M3 });
        var top = (await engine.GenerateAsync(prompt, EngineWorkloads.Greedy(1) with { Logprobs = 8 })).Logprobs![0].TopLogprobs;

        using var model = GlmRuntime.Model.GlmModel.Load(Model);
        int kvRank = model.Config.KvLoraRank;
        var caches = model.Layers.Select(l => (GlmRuntime.Kv.IKvLayerCache)new RoundingKvCache(
            new GlmRuntime.Kv.LayerKvCache(kvRank + model.Config.QkRopeHeadDim, l.Attention.Indexer?.KeyDim ?? 0, 512), kvRank)).ToArray();
        var logits = model.Forward(new GlmRuntime.Model.SequenceState(caches, null), prompt, allLogits: false).Logits;
        double max = logits.Max(), logSum = max + Math.Log(logits.Sum(v => Math.Exp(v - max)));
        foreach (var entry in top)
            Assert.That(entry.Logprob, Is.EqualTo(logits[entry.TokenId] - logSum).Within(1e-4), $"token {entry.TokenId}");
    }

    [TestCase(KvCacheDType.BFloat16, 0.02)]
    public async Task Logprobs_stay_close_to_float32_pages(KvCacheDType dtype, double tolerance)
    {
        var prompt = Enumerable.Range(0, 120).Select(i => (i * 53 + 7) % 256).ToArray();
        var sampling = EngineWorkloads.Greedy(1) with { Logprobs = 8 };
        await using var exact = await GlmEngine.LoadAsync(Model, new GlmEngineOptions { PageSize = 16 });
        await using var rounded = await GlmEngine.LoadAsync(Model, new GlmEngineOptions { PageSize = 16, KvCacheDType = dtype, VerifyPagesEachStep = true });
        var reference = (await exact.GenerateAsync(prompt, sampling)).Logprobs![0].TopLogprobs;
        var candidate = (await rounded.GenerateAsync(prompt, sampling)).Logprobs![0].TopLogprobs;

        var byToken = candidate.ToDictionary(c => c.TokenId, c => c.Logprob);
        double worst = 0;
        foreach (var entry in reference.Take(4))
        {
            Assert.That(byToken.ContainsKey(entry.TokenId), $"token {entry.TokenId} left the top 8 with {dtype} pages");
            worst = Math.Max(worst, Math.Abs(byToken[entry.TokenId] - entry.Logprob));
        }
        TestContext.Out.WriteLine($"{dtype}: largest logprob change among the top 4: {worst:G4}");
        Assert.That(worst, Is.LessThan(tolerance));

        // A longer run completes and gives its pages back.
        var result = await rounded.GenerateAsync(prompt, EngineWorkloads.Greedy(30));
        Assert.That(result.OutputTokenIds, Has.Count.EqualTo(30));
        Assert.That(rounded.GetStatistics().InUsePageCount, Is.Zero);
    }

    [Test]
    public async Task Lower_precision_pages_hold_more_tokens_in_the_same_budget()
    {
        var pages = new Dictionary<KvCacheDType, int>();
        foreach (var dtype in Enum.GetValues<KvCacheDType>())
        {
            await using var engine = await GlmEngine.LoadAsync(Model, new GlmEngineOptions { KvCacheBytes = 1 << 20, PageSize = 16, KvCacheDType = dtype });
            pages[dtype] = engine.GetStatistics().TotalPageCount;
        }
        Assert.That(pages[KvCacheDType.BFloat16], Is.EqualTo(pages[KvCacheDType.Float32] * 2).Within(1));
        Assert.That(pages[KvCacheDType.Float8E4M3], Is.GreaterThan(pages[KvCacheDType.BFloat16]));
    }
}
