using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Engine;

/// <summary>The public engine on the golden checkpoints (no tokenizer: token ids in, token ids out).</summary>
[TestFixture]
public sealed class GlmEngineTests
{
    private GlmEngine _engine = null!;
    private GoldenFile _golden = null!;

    [OneTimeSetUp]
    public async Task Load()
    {
        _golden = GoldenFile.Open("tiny-glm5");
        _engine = await GlmEngine.LoadAsync(_golden.ModelDirectory);
    }

    [OneTimeTearDown]
    public async Task Unload()
    {
        await _engine.DisposeAsync();
        _golden.Dispose();
    }

    private static SamplingParams Greedy(int maxTokens) => SamplingParams.Greedy with { MaxTokens = maxTokens, IgnoreEos = true };

    [Test]
    public async Task Greedy_generation_reproduces_the_golden_continuations()
    {
        for (int p = 0; p < _golden.PromptCount; p++)
        {
            var expected = _golden.Ints($"prompt{p}.greedy");
            var result = await _engine.GenerateAsync(_golden.Ints($"prompt{p}.tokens"), Greedy(expected.Length));
            Assert.That(result.OutputTokenIds, Is.EqualTo(expected), $"prompt {p}");
            Assert.That(result.FinishReason, Is.EqualTo(FinishReason.Length));
            Assert.That(result.Usage.PromptTokenCount, Is.EqualTo(_golden.Ints($"prompt{p}.tokens").Length));
            Assert.That(result.Usage.CompletionTokenCount, Is.EqualTo(expected.Length));
            Assert.That(result.Text, Is.Empty, "no tokenizer, no text");
        }
    }

    [Test]
    public async Task Streaming_yields_one_token_per_update_and_finishes_with_usage()
    {
        var updates = new List<GenerationUpdate>();
        await foreach (var update in _engine.GenerateStreamingAsync(_golden.Ints("prompt0.tokens"), Greedy(5)))
            updates.Add(update);
        Assert.That(updates, Has.Count.EqualTo(5));
        Assert.That(updates.Select(u => u.TokenIds.Count), Is.All.EqualTo(1));
        Assert.That(updates[..4].Select(u => u.FinishReason), Is.All.Null);
        Assert.That(updates[4].FinishReason, Is.EqualTo(FinishReason.Length));
        Assert.That(updates[4].Usage!.CompletionTokenCount, Is.EqualTo(5));
    }

    [Test]
    public async Task A_stop_token_ends_generation_with_reason_stop()
    {
        var greedy = _golden.Ints("prompt0.greedy");
        var result = await _engine.GenerateAsync(_golden.Ints("prompt0.tokens"), Greedy(12) with { StopTokenIds = [greedy[2]] });
        Assert.That(result.FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(result.OutputTokenIds, Is.EqualTo(greedy[..3]));
    }

    [Test]
    public void Sampling_defaults_and_eos_ids_come_from_the_checkpoint()
    {
        Assert.That(_engine.EosTokenIds, Is.EqualTo(new[] { 1 }));
        Assert.That(_engine.DefaultSamplingParams.TopP, Is.EqualTo(0.95), "generation_config.json's top_p");
        Assert.That(_engine.DefaultSamplingParams.Temperature, Is.EqualTo(1.0));
    }

    [Test]
    public async Task An_eos_token_stops_generation_unless_ignored()
    {
        var greedy = _golden.Ints("prompt0.greedy");
        using var variant = ModelVariants.WithConfig("tiny-glm5", c => c["eos_token_id"] = new System.Text.Json.Nodes.JsonArray(greedy[1]));
        await using var engine = await GlmEngine.LoadAsync(variant.Path);
        var stopped = await engine.GenerateAsync(_golden.Ints("prompt0.tokens"), SamplingParams.Greedy with { MaxTokens = 12 });
        Assert.That(stopped.FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(stopped.OutputTokenIds, Is.EqualTo(greedy[..2]), "the eos token is reported as the last output id");
        var ignored = await engine.GenerateAsync(_golden.Ints("prompt0.tokens"), Greedy(12));
        Assert.That(ignored.OutputTokenIds, Is.EqualTo(greedy));
    }

    [Test]
    public async Task Seeded_sampling_is_reproducible()
    {
        var sampling = new SamplingParams { Temperature = 1.2, TopK = 50, Seed = 1234, MaxTokens = 16, IgnoreEos = true };
        var a = await _engine.GenerateAsync(_golden.Ints("prompt1.tokens"), sampling);
        var b = await _engine.GenerateAsync(_golden.Ints("prompt1.tokens"), sampling);
        var c = await _engine.GenerateAsync(_golden.Ints("prompt1.tokens"), sampling with { Seed = 99 });
        Assert.That(a.OutputTokenIds, Is.EqualTo(b.OutputTokenIds));
        Assert.That(c.OutputTokenIds, Is.Not.EqualTo(a.OutputTokenIds));
    }

    [Test]
    public void Cancellation_stops_the_stream()
    {
        using var cts = new CancellationTokenSource();
        Assert.That(async () =>
        {
            int count = 0;
            await foreach (var _ in _engine.GenerateStreamingAsync(_golden.Ints("prompt0.tokens"), Greedy(1000), cts.Token))
            {
                if (++count == 3)
                    cts.Cancel();
            }
        }, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task The_engine_is_usable_after_a_cancelled_request()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.That(async () => await _engine.GenerateAsync(_golden.Ints("prompt0.tokens"), Greedy(4), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        var result = await _engine.GenerateAsync(_golden.Ints("prompt0.tokens"), Greedy(4));
        Assert.That(result.OutputTokenIds, Is.EqualTo(_golden.Ints("prompt0.greedy")[..4]));
    }

    [Test]
    public async Task Concurrent_requests_each_get_their_own_correct_answer()
    {
        var tasks = Enumerable.Range(0, 4).Select(p => _engine.GenerateAsync(_golden.Ints($"prompt{p}.tokens"), Greedy(6))).ToArray();
        var results = await Task.WhenAll(tasks);
        for (int p = 0; p < 4; p++)
            Assert.That(results[p].OutputTokenIds, Is.EqualTo(_golden.Ints($"prompt{p}.greedy")[..6]), $"prompt {p}");
    }

    [Test]
    public void Bad_requests_fail_with_clear_messages()
    {
        Assert.That(() => _engine.GenerateStreamingAsync(Array.Empty<int>()), Throws.ArgumentException.With.Message.Contains("no tokens"));
        Assert.That(() => _engine.GenerateStreamingAsync([3, 256]), Throws.ArgumentException.With.Message.Contains("vocab_size 256"));
        Assert.That(() => _engine.GenerateStreamingAsync("hello"), Throws.InvalidOperationException.With.Message.Contains("tokenizer"));
        Assert.That(() => _engine.GenerateStreamingAsync([3], new SamplingParams { TopP = 0 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("TopP"));
    }

    [Test]
    public void Loading_a_missing_folder_names_it()
    {
        Assert.That(async () => await GlmEngine.LoadAsync("/nonexistent/model"),
            Throws.InstanceOf<DirectoryNotFoundException>().With.Message.Contains("/nonexistent/model"));
        Assert.That(async () => await GlmEngine.LoadAsync(_golden.ModelDirectory, new GlmEngineOptions { ThreadCount = 0 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("ThreadCount"));
    }
}
