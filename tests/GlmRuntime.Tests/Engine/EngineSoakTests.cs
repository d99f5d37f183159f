using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Engine;

/// <summary>
/// 2,000 requests of random lengths, some cancelled at random moments, through a KV pool far smaller than the
/// load, with the page accounting recounted after every step: every request ends exactly once (finished or
/// cancelled), and at the end every page is free or cached.
/// </summary>
[TestFixture]
public sealed class EngineSoakTests
{
    /// <param name="speculative">Speculate 3/1/4, so cancellations also land between the draft and verify of rounds in flight.</param>
    [TestCase(false)]
    [TestCase(true)]
    public async Task Two_thousand_requests_with_cancellations_lose_nothing_and_leak_no_page(bool speculative)
    {
        // With speculation every page also holds the MTP layer's rows: four slots instead of three.
        long pageBytes = EngineWorkloads.PageBytes(SharedData.PathOf("models", "tiny-glm5"), 8) * (speculative ? 4 : 3) / 3;
        var options = new GlmEngineOptions
        {
            PageSize = 8, KvCacheBytes = 40 * pageBytes, MaxRunningRequests = 48, MaxBatchTokens = 256,
            ChunkedPrefillTokens = 32, VerifyPagesEachStep = true, Speculative = speculative ? SpeculativeDecodingOptions.Glm5Recipe : null,
        };
        await using var engine = await GlmEngine.LoadAsync(SharedData.PathOf("models", "tiny-glm5"), options);
        Assert.That(engine.GetStatistics().TotalPageCount, Is.EqualTo(40));

        var random = new Random(2024);
        var workload = EngineWorkloads.Mixed(2000, maxLength: 48, maxTokens: 10, seed: 11);
        // Prompts share prefixes now and then so the prefix cache fills, evicts and is reused under pressure.
        var shared = workload[5].Prompt;
        var tasks = new List<Task<(bool Finished, int Tokens, GenerationUsage? Usage)>>();
        var cancelled = new HashSet<int>();
        for (int i = 0; i < workload.Count; i++)
        {
            var (prompt, maxTokens) = workload[i];
            if (i % 7 == 0)
                prompt = [.. shared.Take(Math.Min(shared.Length, 40)), .. prompt.Take(8)];
            var cancellation = new CancellationTokenSource();
            if (random.NextDouble() < 0.15)
            {
                cancelled.Add(i);
                cancellation.CancelAfter(random.Next(0, 50));
            }
            tasks.Add(Consume(engine, prompt, maxTokens, cancellation));
        }
        var outcomes = await Task.WhenAll(tasks);

        for (int i = 0; i < outcomes.Length; i++)
        {
            var (finished, tokens, usage) = outcomes[i];
            if (!finished)
            {
                Assert.That(cancelled, Does.Contain(i), $"request {i} ended without finishing and was not cancelled");
                continue;
            }
            Assert.That(usage!.CompletionTokenCount, Is.EqualTo(tokens), $"request {i}: usage disagrees with the tokens streamed");
            Assert.That(tokens, Is.EqualTo(workload[i].MaxTokens), $"request {i} (IgnoreEos) must run to its limit");
        }
        Assert.That(outcomes.Count(o => o.Finished), Is.GreaterThanOrEqualTo(2000 - cancelled.Count));

        var statistics = await Idle(engine);
        Assert.That(statistics.RunningRequestCount + statistics.WaitingRequestCount, Is.Zero);
        Assert.That(statistics.InUsePageCount, Is.Zero);
        Assert.That(statistics.FreePageCount + statistics.CachedPageCount, Is.EqualTo(statistics.TotalPageCount));
        Assert.That(statistics.PreemptionCount, Is.GreaterThan(0), "the budget should force preemption");
        Assert.That(statistics.PrefixHitTokenCount, Is.GreaterThan(0), "shared prefixes should hit the cache");
        if (speculative)
            Assert.That(statistics.Speculative!.RoundCount, Is.GreaterThan(1000), "decodes speculated");
    }

    private static async Task<(bool, int, GenerationUsage?)> Consume(GlmEngine engine, int[] prompt, int maxTokens, CancellationTokenSource cancellation)
    {
        using (cancellation)
        {
            int tokens = 0;
            try
            {
                await foreach (var update in engine.GenerateStreamingAsync(prompt, EngineWorkloads.Greedy(maxTokens), cancellation.Token))
                {
                    tokens += update.TokenIds.Count;
                    if (update.FinishReason is not null)
                        return (true, tokens, update.Usage);
                }
                throw new InvalidOperationException("The stream ended without a final update.");
            }
            catch (OperationCanceledException)
            {
                return (false, tokens, null);
            }
        }
    }

    /// <summary>Statistics once the loop has dropped every cancelled request (at most a few steps after the last caller returned).</summary>
    internal static async Task<GlmEngineStatistics> Idle(GlmEngine engine)
    {
        for (int i = 0; i < 200; i++)
        {
            var statistics = engine.GetStatistics();
            if (statistics.RunningRequestCount + statistics.WaitingRequestCount == 0)
                return statistics;
            await Task.Delay(10);
        }
        return engine.GetStatistics();
    }
}
