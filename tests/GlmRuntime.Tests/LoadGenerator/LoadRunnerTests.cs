using System.Text.Json;
using GlmRuntime.Checkpoints;
using GlmRuntime.LoadGenerator;
using GlmRuntime.Tests.GlmGateway;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.LoadGenerator;

/// <summary>The load generator end to end on the demo model: in process, over HTTP against the gateway, and from the CLI.</summary>
[TestFixture]
public sealed class LoadRunnerTests
{
    private static readonly ServingWorkload Small = new() { RequestCount = 6, InputTokens = 200, OutputTokens = 8, SharedPrefixFraction = 0.8, PrefixGroups = 1 };

    [TestCase(true)]
    [TestCase(false)]
    public async Task An_in_process_sweep_completes_every_request_and_reads_the_cache_hits(bool prefixCache)
    {
        using var dir = new TempDirectory();
        await using var engine = await GlmEngine.LoadAsync(DemoModel.EnsureCreated(dir.File("demo")), new GlmEngineOptions { EnablePrefixCache = prefixCache });
        var runner = new LoadRunner(new EngineTarget(engine), EngineTarget.OrdinaryTokenIds(engine)) { WarmupRequests = 1, WarmupDuration = TimeSpan.Zero };
        var results = await runner.SweepAsync(Small, [50, double.PositiveInfinity], CancellationToken.None);
        Assert.That(results.Select(r => r.RequestRate), Is.EqualTo(new[] { 50, double.PositiveInfinity }));
        foreach (var r in results)
        {
            Assert.That((r.Completed, r.Failed, r.TotalOutputTokens, r.TotalInputTokens), Is.EqualTo((6, 0, 48L, 1200L)));
            Assert.That(r.MedianTtftMs, Is.GreaterThan(0));
            Assert.That(r.P99E2eMs, Is.GreaterThanOrEqualTo(r.MedianE2eMs));
            Assert.That(r.SpecAcceptRate, Is.Null);
        }
        if (prefixCache)
        {
            // 160 shared tokens hold two whole 64-token pages; every request after the first can reuse them at 50 req/s.
            Assert.That(results[0].CacheHitRate, Is.GreaterThan(0.3));
            Assert.That(results[0].UsageCachedFraction, Is.EqualTo(results[0].CacheHitRate!.Value).Within(1e-9), "usage and engine counters agree");
        }
        else
        {
            Assert.That(results.Select(r => r.CacheHitRate ?? 0), Is.All.Zero);
        }
        var single = await runner.SingleStreamAsync(Small with { RequestCount = 3 }, CancellationToken.None);
        Assert.That(single.Requests, Is.EqualTo(3));
        Assert.That(single.MedianOutputTokensPerSecond, Is.GreaterThan(0));
    }

    [Test]
    public async Task The_http_target_measures_the_gateway_and_reads_its_metrics()
    {
        await using var server = await GatewayServer.StartAsync();
        using var target = new HttpTarget(server.BaseUrl, GatewayServer.ApiKey, server.ModelId);
        var runner = new LoadRunner(target, EngineTarget.OrdinaryTokenIds(server.Engine)) { WarmupRequests = 1, WarmupDuration = TimeSpan.Zero };
        var result = (await runner.SweepAsync(Small, [50], CancellationToken.None)).Single();
        Assert.That((result.Completed, result.Failed, result.TotalOutputTokens), Is.EqualTo((6, 0, 48L)), string.Join("; ", result.Errors));
        Assert.That(result.CacheHitRate, Is.GreaterThan(0.3), "from the gateway's /metrics counters");
        Assert.That(result.UsageCachedFraction, Is.EqualTo(result.CacheHitRate!.Value).Within(1e-9));

        using var unauthorized = new HttpTarget(server.BaseUrl, apiKey: "wrong");
        var failed = await unauthorized.RunAsync(Small.Generate([5, 6, 7])[0], CancellationToken.None);
        Assert.That(failed.Success, Is.False);
        Assert.That(failed.Error, Does.Contain("401"));
    }

    [Test]
    public void The_cli_prints_a_json_sweep()
    {
        var output = new StringWriter();
        int code = GlmRuntime.Cli.GlmCommand.Run(
            ["bench", "serve", "--json", "--requests", "3", "--rates", "20,inf", "--input-len", "80", "--output-len", "4", "--warmup", "1", "--warmup-seconds", "0"],
            TextReader.Null, output, TextWriter.Null, CancellationToken.None);
        Assert.That(code, Is.Zero, output.ToString());
        var rows = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.That(rows.GetArrayLength(), Is.EqualTo(2));
        Assert.That(rows[0].GetProperty("completed").GetInt32(), Is.EqualTo(3));
        Assert.That(rows[1].GetProperty("request_rate").GetString(), Is.EqualTo("Infinity"));
        Assert.That(rows[0].TryGetProperty("p99_ttft_ms", out _) && rows[0].TryGetProperty("median_itl_ms", out _), Is.True);
    }

    [TestCase("--max-concurrency", "0")]
    [TestCase("--burstiness", "0")]
    [TestCase("--warmup", "-1")]
    [TestCase("--rates", "0")]
    public void Bad_cli_options_are_usage_errors_before_anything_runs(string option, string value)
    {
        var error = new StringWriter();
        int code = GlmRuntime.Cli.GlmCommand.Run(["bench", "serve", option, value], TextReader.Null, TextWriter.Null, error, CancellationToken.None);
        Assert.That(code, Is.EqualTo(2), error.ToString());
        Assert.That(error.ToString(), Does.Contain(option));
    }
}
