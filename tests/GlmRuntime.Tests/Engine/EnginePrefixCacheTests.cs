using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Engine;

/// <summary>The radix prefix cache seen from the public API: reuse, its accounting, and unchanged outputs.</summary>
[TestFixture]
public sealed class EnginePrefixCacheTests
{
    private static readonly string Model = SharedData.PathOf("models", "tiny-glm5");
    private static readonly GlmEngineOptions Options = new() { PageSize = 16, VerifyPagesEachStep = true };

    private static int[] Tokens(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(256)).ToArray();
    }

    [Test]
    public async Task A_second_request_sharing_a_prefix_reports_the_cached_tokens_and_skips_their_prefill()
    {
        await using var engine = await GlmEngine.LoadAsync(Model, Options);
        var shared = Tokens(90, 1);
        int[] first = [.. shared, .. Tokens(10, 2)];
        int[] second = [.. shared, .. Tokens(7, 3)];

        var a = await engine.GenerateAsync(first, EngineWorkloads.Greedy(4));
        Assert.That(a.Usage.CachedTokenCount, Is.Zero);
        var before = engine.GetStatistics();
        var b = await engine.GenerateAsync(second, EngineWorkloads.Greedy(4));
        var after = engine.GetStatistics();

        Assert.That(b.Usage.CachedTokenCount, Is.EqualTo(80), "the shared 90 tokens cover 5 whole pages of 16");
        Assert.That(after.PrefixHitTokenCount - before.PrefixHitTokenCount, Is.EqualTo(80));
        Assert.That(after.PrefixQueriedTokenCount - before.PrefixQueriedTokenCount, Is.EqualTo(second.Length));

        await using var cold = await GlmEngine.LoadAsync(Model, Options with { EnablePrefixCache = false });
        var reference = await cold.GenerateAsync(second, EngineWorkloads.Greedy(4));
        Assert.That(b.OutputTokenIds, Is.EqualTo(reference.OutputTokenIds), "reused KV must give the same tokens");
        Assert.That(reference.Usage.CachedTokenCount, Is.Zero);
    }

    [Test]
    public async Task Generated_tokens_are_cached_too_so_a_follow_up_turn_reuses_the_answer()
    {
        await using var engine = await GlmEngine.LoadAsync(Model, Options);
        var prompt = Tokens(30, 4);
        var answer = await engine.GenerateAsync(prompt, EngineWorkloads.Greedy(40));
        int[] followUp = [.. prompt, .. answer.OutputTokenIds, .. Tokens(5, 5)];

        var next = await engine.GenerateAsync(followUp, EngineWorkloads.Greedy(3));
        // Prompt (30) + answer (40) = 70 positions; the last sampled token never entered the KV: 69 → 4 pages.
        Assert.That(next.Usage.CachedTokenCount, Is.EqualTo(64));
        Assert.That(next.Usage.CachedTokenCount, Is.GreaterThan(prompt.Length), "the answer's pages were reused");
    }

    [Test]
    public async Task A_prompt_is_shared_as_soon_as_it_is_prefilled_while_its_request_still_decodes()
    {
        await using var engine = await GlmEngine.LoadAsync(Model, Options);
        var shared = Tokens(70, 8);
        await using var first = engine.GenerateStreamingAsync([.. shared, .. Tokens(10, 9)], EngineWorkloads.Greedy(300)).GetAsyncEnumerator();
        Assert.That(await first.MoveNextAsync(), Is.True, "the first request has prefilled and is decoding");

        var second = await engine.GenerateAsync([.. shared, .. Tokens(5, 10)], EngineWorkloads.Greedy(3));
        Assert.That(second.Usage.CachedTokenCount, Is.EqualTo(64));
        Assert.That(engine.GetStatistics().RunningRequestCount, Is.EqualTo(1), "the first is still running");
    }

    [Test]
    public async Task An_identical_prompt_still_computes_its_last_token()
    {
        await using var engine = await GlmEngine.LoadAsync(Model, Options);
        var prompt = Tokens(64, 6);
        var a = await engine.GenerateAsync(prompt, EngineWorkloads.Greedy(5));
        var b = await engine.GenerateAsync(prompt, EngineWorkloads.Greedy(5));
        Assert.That(b.Usage.CachedTokenCount, Is.EqualTo(48), "4 whole pages, but the page with the last token is recomputed");
        Assert.That(b.OutputTokenIds, Is.EqualTo(a.OutputTokenIds));
    }

    [Test]
    public async Task Eviction_under_pressure_keeps_outputs_right()
    {
        var tight = Options with { KvCacheBytes = 10 * EngineWorkloads.PageBytes(Model, 16) };
        await using var engine = await GlmEngine.LoadAsync(Model, tight);
        await using var cold = await GlmEngine.LoadAsync(Model, Options with { EnablePrefixCache = false });
        for (int round = 0; round < 6; round++)
        {
            var prompt = Tokens(70, 100 + round % 2);
            var warm = await engine.GenerateAsync(prompt, EngineWorkloads.Greedy(20));
            var reference = await cold.GenerateAsync(prompt, EngineWorkloads.Greedy(20));
            Assert.That(warm.OutputTokenIds, Is.EqualTo(reference.OutputTokenIds), $"round {round}");
        }
        var statistics = engine.GetStatistics();
        Assert.That(statistics.InUsePageCount, Is.Zero);
        Assert.That(statistics.PrefixHitTokenCount, Is.GreaterThan(0));
    }
}
