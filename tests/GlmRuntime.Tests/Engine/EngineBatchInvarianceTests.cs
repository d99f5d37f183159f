using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Engine;

/// <summary>
/// A request's tokens do not depend on what else runs: alone, in a batch of 16 mixed-length requests, with
/// chunked prefill on or off, with the prefix cache on or off, and after preemption and recompute. Every token
/// is computed the same way in every case (per-row MLA form, per-token kernels, per-request RNG), so the outputs
/// are identical, not merely close.
/// </summary>
[TestFixture]
public sealed class EngineBatchInvarianceTests
{
    private const int RequestCount = 16;
    private static readonly string Model = SharedData.PathOf("models", "tiny-glm5");
    private readonly List<(int[] Prompt, int MaxTokens)> _workload = EngineWorkloads.Mixed(RequestCount, maxLength: 150, maxTokens: 24, seed: 7);
    private IReadOnlyList<int>[] _greedyAlone = null!;
    private IReadOnlyList<int>[] _seededAlone = null!;

    /// <summary>The pool holds 12 pages of 16 tokens: the largest request fits (≤ 11 pages), 16 together do not.</summary>
    private static readonly GlmEngineOptions TinyKv = new() { PageSize = 16, KvCacheBytes = 12 * EngineWorkloads.PageBytes(Model, 16), VerifyPagesEachStep = true };

    public static IEnumerable<TestCaseData> Variants()
    {
        yield return new TestCaseData(new GlmEngineOptions { VerifyPagesEachStep = true }).SetName("Batch_of_16_default_options");
        yield return new TestCaseData(new GlmEngineOptions { ChunkedPrefillTokens = 8, MaxBatchTokens = 40, VerifyPagesEachStep = true }).SetName("Batch_of_16_small_chunks");
        yield return new TestCaseData(new GlmEngineOptions { ChunkedPrefillTokens = null, VerifyPagesEachStep = true }).SetName("Batch_of_16_chunking_off");
        yield return new TestCaseData(new GlmEngineOptions { EnablePrefixCache = false, PageSize = 16, VerifyPagesEachStep = true }).SetName("Batch_of_16_prefix_cache_off");
        yield return new TestCaseData(new GlmEngineOptions { PageSize = 16, VerifyPagesEachStep = true }).SetName("Batch_of_16_small_pages");
        yield return new TestCaseData(TinyKv).SetName("Batch_of_16_preempted_by_a_tiny_kv_budget");
        yield return new TestCaseData(TinyKv with { EnablePrefixCache = false, ChunkedPrefillTokens = 16 }).SetName("Batch_of_16_preempted_without_prefix_cache");
        // The MTP layer adds a fourth slot to every page: 16 pages' worth of three slots is 12 pages of four.
        yield return new TestCaseData(TinyKv with { KeepMtpCache = true, KvCacheBytes = 16 * EngineWorkloads.PageBytes(Model, 16) })
            .SetName("Batch_of_16_keeping_the_mtp_cache_under_preemption");
    }

    /// <summary>Speculative decoding (greedy only: sampled rounds draw differently from plain decoding, by design).</summary>
    public static IEnumerable<TestCaseData> SpeculativeVariants()
    {
        var speculative = new SpeculativeDecodingOptions { Steps = 5 };
        // Four slots per page with the MTP layer: 16 pages' worth of three slots is 12 pages of four.
        var tinyKv = TinyKv with { Speculative = speculative, KvCacheBytes = 16 * EngineWorkloads.PageBytes(Model, 16) };
        yield return new TestCaseData(new GlmEngineOptions { Speculative = speculative, VerifyPagesEachStep = true }).SetName("Speculating_batch_of_16_default_options");
        yield return new TestCaseData(new GlmEngineOptions { Speculative = speculative, ChunkedPrefillTokens = 8, MaxBatchTokens = 40, VerifyPagesEachStep = true })
            .SetName("Speculating_batch_of_16_small_chunks_and_budget");
        yield return new TestCaseData(tinyKv).SetName("Speculating_batch_of_16_preempted_by_a_tiny_kv_budget");
        yield return new TestCaseData(tinyKv with { EnablePrefixCache = false }).SetName("Speculating_batch_of_16_preempted_without_prefix_cache");
    }

    [OneTimeSetUp]
    public async Task RunAlone()
    {
        await using var engine = await GlmEngine.LoadAsync(Model, new GlmEngineOptions { EnablePrefixCache = false });
        _greedyAlone = new IReadOnlyList<int>[RequestCount];
        _seededAlone = new IReadOnlyList<int>[RequestCount];
        for (int i = 0; i < RequestCount; i++)
        {
            var (prompt, maxTokens) = _workload[i];
            _greedyAlone[i] = (await engine.GenerateAsync(prompt, EngineWorkloads.Greedy(maxTokens))).OutputTokenIds;
            _seededAlone[i] = (await engine.GenerateAsync(prompt, EngineWorkloads.Seeded(maxTokens, 1000 + i))).OutputTokenIds;
        }
    }

    [TestCaseSource(nameof(Variants))]
    public async Task Greedy_outputs_equal_the_solo_runs(GlmEngineOptions options) =>
        await CheckBatch(options, i => EngineWorkloads.Greedy(_workload[i].MaxTokens), _greedyAlone);

    [TestCaseSource(nameof(Variants))]
    public async Task Seeded_sampling_outputs_equal_the_solo_runs(GlmEngineOptions options) =>
        await CheckBatch(options, i => EngineWorkloads.Seeded(_workload[i].MaxTokens, 1000 + i), _seededAlone);

    [TestCaseSource(nameof(SpeculativeVariants))]
    public async Task Speculating_greedy_outputs_equal_the_plain_solo_runs(GlmEngineOptions options) =>
        await CheckBatch(options, i => EngineWorkloads.Greedy(_workload[i].MaxTokens), _greedyAlone);

    [Test]
    public async Task The_tiny_budget_really_preempts()
    {
        await using var engine = await GlmEngine.LoadAsync(Model, TinyKv);
        await engine.GenerateBatchAsync(Requests(i => EngineWorkloads.Greedy(_workload[i].MaxTokens)));
        Assert.That(engine.GetStatistics().PreemptionCount, Is.GreaterThan(0));
    }

    private async Task CheckBatch(GlmEngineOptions options, Func<int, SamplingParams> sampling, IReadOnlyList<int>[] alone)
    {
        await using var engine = await GlmEngine.LoadAsync(Model, options);
        var results = await engine.GenerateBatchAsync(Requests(sampling));
        for (int i = 0; i < RequestCount; i++)
            Assert.That(results[i].OutputTokenIds, Is.EqualTo(alone[i]), $"request {i} (prompt of {_workload[i].Prompt.Length} tokens)");
        var statistics = engine.GetStatistics();
        Assert.That(statistics.InUsePageCount, Is.Zero);
        Assert.That(statistics.FreePageCount + statistics.CachedPageCount, Is.EqualTo(statistics.TotalPageCount));
    }

    private List<GenerationRequest> Requests(Func<int, SamplingParams> sampling) =>
        Enumerable.Range(0, RequestCount).Select(i => GenerationRequest.FromTokens(_workload[i].Prompt, sampling(i))).ToList();
}
