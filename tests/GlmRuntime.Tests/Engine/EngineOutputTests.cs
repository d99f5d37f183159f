using System.Diagnostics.Metrics;
using GlmRuntime.Checkpoints;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Engine;

/// <summary>
/// Per-request output control through the engine on the demo model (it has a tokenizer): stop strings with
/// hold-back, min tokens, logprobs, penalties, usage and the engine's meter.
/// </summary>
[TestFixture]
public sealed class EngineOutputTests
{
    private TempDirectory _dir = null!;
    private GlmEngine _engine = null!;
    private GenerationResult _plain = null!;
    private const string Prompt = "The quick brown fox";

    [OneTimeSetUp]
    public async Task Load()
    {
        _dir = new TempDirectory();
        _engine = await GlmEngine.LoadAsync(DemoModel.EnsureCreated(_dir.File("demo")));
        _plain = await _engine.GenerateAsync(Prompt, EngineWorkloads.Greedy(40));
    }

    [OneTimeTearDown]
    public async Task Unload()
    {
        await _engine.DisposeAsync();
        _dir.Dispose();
    }

    [Test]
    public async Task A_stop_string_ends_the_text_before_it_and_is_never_streamed()
    {
        Assume.That(_plain.Text.Length, Is.GreaterThan(12), "the demo model should produce some text");
        string stop = _plain.Text.Substring(8, 4);
        int at = _plain.Text.IndexOf(stop, StringComparison.Ordinal);
        var deltas = new List<string>();
        GenerationUpdate? last = null;
        await foreach (var update in _engine.GenerateStreamingAsync(Prompt, EngineWorkloads.Greedy(40) with { Stop = [stop] }))
        {
            deltas.Add(update.Text);
            last = update;
        }
        Assert.That(string.Concat(deltas), Is.EqualTo(_plain.Text[..at]));
        Assert.That(last!.FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(deltas.Any(d => d.Contains(stop, StringComparison.Ordinal)), Is.False);

        var included = await _engine.GenerateAsync(Prompt, EngineWorkloads.Greedy(40) with { Stop = [stop], IncludeStopStringInOutput = true });
        Assert.That(included.Text, Is.EqualTo(_plain.Text[..(at + stop.Length)]));
    }

    [Test]
    public async Task Min_tokens_holds_back_eos_and_max_tokens_caps_the_length()
    {
        var eos = _engine.EosTokenIds[0];
        // Bias eos to the top: without MinTokens it comes first; with MinTokens 5 it cannot come before the sixth token.
        var biased = SamplingParams.Greedy with { MaxTokens = 20, LogitBias = new Dictionary<int, float> { [eos] = 100 } };
        var immediate = await _engine.GenerateAsync(Prompt, biased);
        Assert.That(immediate.OutputTokenIds, Is.EqualTo(new[] { eos }));
        Assert.That(immediate.FinishReason, Is.EqualTo(FinishReason.Stop));
        var held = await _engine.GenerateAsync(Prompt, biased with { MinTokens = 5 });
        Assert.That(held.OutputTokenIds, Has.Count.EqualTo(6));
        Assert.That(held.OutputTokenIds[^1], Is.EqualTo(eos));
    }

    [Test]
    public async Task Logprobs_come_with_every_token_and_the_greedy_choice_is_the_most_likely()
    {
        var result = await _engine.GenerateAsync(Prompt, EngineWorkloads.Greedy(10) with { Logprobs = 3 });
        Assert.That(result.Logprobs, Has.Count.EqualTo(result.OutputTokenIds.Count));
        for (int i = 0; i < result.Logprobs!.Count; i++)
        {
            var entry = result.Logprobs[i];
            Assert.That(entry.Token.TokenId, Is.EqualTo(result.OutputTokenIds[i]));
            Assert.That(entry.TopLogprobs, Has.Count.EqualTo(3));
            Assert.That(entry.TopLogprobs[0].TokenId, Is.EqualTo(entry.Token.TokenId));
            Assert.That(entry.Token.Logprob, Is.LessThanOrEqualTo(0f));
        }
        var none = await _engine.GenerateAsync(Prompt, EngineWorkloads.Greedy(3));
        Assert.That(none.Logprobs, Is.Null);
    }

    [Test]
    public async Task A_repetition_penalty_changes_a_repetitive_greedy_output()
    {
        var repeated = _plain.OutputTokenIds.GroupBy(t => t).Max(g => g.Count());
        Assume.That(repeated, Is.GreaterThan(1), "the plain output repeats a token");
        var penalized = await _engine.GenerateAsync(Prompt, EngineWorkloads.Greedy(40) with { RepetitionPenalty = 2.0, FrequencyPenalty = 2.0 });
        Assert.That(penalized.OutputTokenIds, Is.Not.EqualTo(_plain.OutputTokenIds));
    }

    [Test]
    public async Task Usage_reports_prompt_completion_and_time_to_first_token()
    {
        var result = await _engine.GenerateAsync(Prompt, EngineWorkloads.Greedy(5));
        Assert.That(result.Usage.PromptTokenCount, Is.EqualTo(_engine.Tokenizer!.Encode(Prompt).Length));
        Assert.That(result.Usage.CompletionTokenCount, Is.EqualTo(5));
        Assert.That(result.Usage.TimeToFirstToken, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task The_meter_reports_latencies_tokens_and_gauges()
    {
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GlmEngine.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((i, value, _, _) => { lock (seen) seen[i.Name] = seen.GetValueOrDefault(i.Name) + value; });
        listener.SetMeasurementEventCallback<long>((i, value, _, _) => { lock (seen) seen[i.Name] = seen.GetValueOrDefault(i.Name) + value; });
        listener.SetMeasurementEventCallback<int>((i, value, _, _) => { lock (seen) seen[i.Name] = value; });
        listener.Start();

        await _engine.GenerateAsync(Prompt, EngineWorkloads.Greedy(6));
        listener.RecordObservableInstruments();

        lock (seen)
        {
            Assert.That(seen.Keys, Is.SupersetOf(new[]
            {
                "glm.time_to_first_token", "glm.inter_token_latency", "glm.e2e_request_latency", "glm.prompt_tokens",
                "glm.generation_tokens", "glm.requests.finished", "glm.requests.waiting", "glm.requests.running", "glm.kv.pages_in_use",
            }));
            Assert.That(seen["glm.generation_tokens"], Is.GreaterThanOrEqualTo(6));
            Assert.That(seen["glm.requests.running"], Is.Zero);
        }
    }
}
