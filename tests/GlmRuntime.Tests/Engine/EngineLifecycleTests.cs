using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Engine;

/// <summary>Cancellation, abandonment, disposal and requests that can never fit.</summary>
[TestFixture]
public sealed class EngineLifecycleTests
{
    private static readonly string Model = SharedData.PathOf("models", "tiny-glm5");

    private static SamplingParams Long => EngineWorkloads.Greedy(400);

    private static int[] Prompt(int length) => Enumerable.Range(0, length).Select(i => (i * 37) % 256).ToArray();

    [Test]
    public async Task Cancelling_a_request_frees_its_pages_within_one_step()
    {
        await using var engine = await GlmEngine.LoadAsync(Model, new GlmEngineOptions { PageSize = 16, EnablePrefixCache = false, VerifyPagesEachStep = true });
        using var cancellation = new CancellationTokenSource();
        int seen = 0;
        long stepAtCancel = 0;
        Assert.That(async () =>
        {
            await foreach (var update in engine.GenerateStreamingAsync(Prompt(40), Long, cancellation.Token))
            {
                if (++seen == 3)
                {
                    // Read after cancelling: the engine runs ahead of this consumer, so a count read before could
                    // predate steps that ran before the cancellation was signalled.
                    cancellation.Cancel();
                    stepAtCancel = engine.GetStatistics().StepCount;
                }
            }
        }, Throws.InstanceOf<OperationCanceledException>());

        var statistics = await EngineSoakTests.Idle(engine);
        Assert.That(statistics.InUsePageCount, Is.Zero);
        Assert.That(statistics.RunningRequestCount, Is.Zero);
        Assert.That(statistics.StepCount - stepAtCancel, Is.LessThanOrEqualTo(2), "the step in flight, then removal at the next");
    }

    [Test]
    public async Task Abandoning_a_stream_cancels_the_request()
    {
        await using var engine = await GlmEngine.LoadAsync(Model, new GlmEngineOptions { VerifyPagesEachStep = true });
        await foreach (var update in engine.GenerateStreamingAsync(Prompt(20), Long))
            break;
        var statistics = await EngineSoakTests.Idle(engine);
        Assert.That(statistics.RunningRequestCount, Is.Zero);
        Assert.That(statistics.InUsePageCount, Is.Zero);
    }

    [Test]
    public async Task Disposing_with_requests_in_flight_completes_them_as_cancelled()
    {
        var engine = await GlmEngine.LoadAsync(Model);
        var streams = Enumerable.Range(0, 4).Select(i => engine.GenerateStreamingAsync(Prompt(10 + i), Long).GetAsyncEnumerator()).ToList();
        foreach (var stream in streams)
            Assert.That(await stream.MoveNextAsync(), Is.True);
        await engine.DisposeAsync();
        foreach (var stream in streams)
        {
            Assert.That(async () => { while (await stream.MoveNextAsync()) { } }, Throws.InstanceOf<OperationCanceledException>());
            await stream.DisposeAsync();
        }
        Assert.That(() => engine.GenerateStreamingAsync(Prompt(3)), Throws.InstanceOf<ObjectDisposedException>());
        await engine.DisposeAsync(); // idempotent
    }

    [Test]
    public async Task A_request_that_can_never_fit_fails_at_once_with_a_clear_error()
    {
        var options = new GlmEngineOptions { PageSize = 16, KvCacheBytes = 4 * EngineWorkloads.PageBytes(Model, 16) };
        await using var engine = await GlmEngine.LoadAsync(Model, options);
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => engine.GenerateAsync(Prompt(60), EngineWorkloads.Greedy(10)));
        Assert.That(error!.Message, Does.Contain("KV pages").And.Contain("KvCacheBytes"));
        var fits = await engine.GenerateAsync(Prompt(30), EngineWorkloads.Greedy(10));
        Assert.That(fits.OutputTokenIds, Has.Count.EqualTo(10), "the engine keeps serving");
    }

    [Test]
    public void A_budget_below_one_page_is_refused_naming_the_option()
    {
        var error = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => GlmEngine.LoadAsync(Model, new GlmEngineOptions { KvCacheBytes = 100 }));
        Assert.That(error!.ParamName, Is.EqualTo("KvCacheBytes"));
    }

    [Test]
    public async Task Many_callers_at_once_each_get_their_own_answer()
    {
        await using var engine = await GlmEngine.LoadAsync(Model);
        var solo = await engine.GenerateAsync(Prompt(12), EngineWorkloads.Greedy(8));
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() => engine.GenerateAsync(Prompt(12), EngineWorkloads.Greedy(8)))));
        foreach (var result in results)
            Assert.That(result.OutputTokenIds, Is.EqualTo(solo.OutputTokenIds));
    }
}
