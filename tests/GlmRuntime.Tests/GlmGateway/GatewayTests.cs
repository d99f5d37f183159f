using System.Net;
using System.Text;
using System.Text.Json;

namespace GlmRuntime.Tests.GlmGateway;

/// <summary>The gateway's HTTP contract on the demo model: response shapes, errors naming fields, limits, auth, metrics, disconnects.</summary>
[TestFixture]
public sealed class GatewayTests
{
    private GatewayServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await GatewayServer.StartAsync();
        _http = _server.CreateClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json, HttpClient? client = null)
    {
        using var response = await (client ?? _http).PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static List<JsonElement> Events(string body)
    {
        var lines = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.All(l => l.StartsWith("data: ", StringComparison.Ordinal)), Is.True, body);
        Assert.That(lines[^1], Is.EqualTo("data: [DONE]"));
        return lines[..^1].Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.Clone()).ToList();
    }

    [Test]
    public async Task Chat_streaming_and_non_streaming_give_the_same_answer_and_usage()
    {
        // Long enough to fill whole KV pages (64 tokens), which the prefix cache keeps for the second request.
        string question = string.Join(" ", Enumerable.Repeat("Hello there, how are you today?", 20));
        string request = $$"""{"model": "glm-demo", "messages": [{"role": "user", "content": "{{question}}"}], "max_tokens": 12, "temperature": 0""";
        var (status, whole) = await PostAsync("/v1/chat/completions", request + "}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var choice = whole.GetProperty("choices")[0];
        Assert.That(whole.GetProperty("object").GetString(), Is.EqualTo("chat.completion"));
        Assert.That(choice.GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
        var usage = whole.GetProperty("usage");
        Assert.That(usage.GetProperty("completion_tokens").GetInt32(), Is.EqualTo(12));
        Assert.That(usage.GetProperty("total_tokens").GetInt32(), Is.EqualTo(usage.GetProperty("prompt_tokens").GetInt32() + 12));
        Assert.That(usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32(), Is.GreaterThanOrEqualTo(0));

        using var response = await _http.PostAsync("/v1/chat/completions",
            new StringContent(request + """, "stream": true, "stream_options": {"include_usage": true}}""", Encoding.UTF8, "application/json"));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
        var events = Events(await response.Content.ReadAsStringAsync());
        Assert.That(events[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString(), Is.EqualTo("assistant"));
        string Joined(string field) => string.Concat(events.Where(e => e.GetProperty("choices").GetArrayLength() > 0)
            .Select(e => e.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty(field, out var v) ? v.GetString() : ""));
        var message = choice.GetProperty("message");
        Assert.That(Joined("reasoning_content"), Is.EqualTo(message.TryGetProperty("reasoning_content", out var r) ? r.GetString() : ""));
        Assert.That(Joined("content"), Is.EqualTo(message.GetProperty("content").GetString()));
        Assert.That(events[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
        Assert.That(events[^1].GetProperty("choices").GetArrayLength(), Is.Zero, "the usage chunk has no choices");
        Assert.That(events[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(12));
        Assert.That(events[^1].GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32(),
            Is.GreaterThan(0), "the second identical prompt hits the prefix cache");
    }

    [Test]
    public async Task Completions_take_text_or_token_ids_and_return_logprobs()
    {
        var (status, body) = await PostAsync("/v1/completions", """{"prompt": [5, 6, 7, 8], "max_tokens": 4, "temperature": 0, "logprobs": 2}""");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var choice = body.GetProperty("choices")[0];
        var logprobs = choice.GetProperty("logprobs");
        Assert.That(logprobs.GetProperty("tokens").GetArrayLength(), Is.EqualTo(4));
        Assert.That(logprobs.GetProperty("top_logprobs")[0].EnumerateObject().Count(), Is.EqualTo(2));
        Assert.That(string.Concat(logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString())), Is.EqualTo(choice.GetProperty("text").GetString()));
        Assert.That(body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), Is.EqualTo(4));

        var expected = await _server.Engine.GenerateAsync([5, 6, 7, 8], _server.Engine.DefaultSamplingParams with { Temperature = 0, MaxTokens = 4 });
        Assert.That(choice.GetProperty("text").GetString(), Is.EqualTo(expected.Text), "the gateway's text is the engine's");

        var (textStatus, text) = await PostAsync("/v1/completions", """{"prompt": "Once upon a time", "max_tokens": 3, "stream": false}""");
        Assert.That(textStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(text.GetProperty("object").GetString(), Is.EqualTo("text_completion"));
    }

    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "temperature": 3}""", "temperature")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": "ten"}""", "max_tokens")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": 100000}""", "max_completion_tokens")]
    [TestCase("""{"messages": []}""", "messages")]
    [TestCase("""{"messages": [{"role": "robot", "content": "Hi"}]}""", "messages[0].role")]
    [TestCase("""{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}""", "messages[0].content[0].type")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "tool_choice": "required"}""", "tool_choice")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": "function", "function": {}}]}""", "tools[0].function.name")]
    [TestCase("""{"messages": [{"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f", "arguments": "[1]"}}]}]}""", "messages[0].tool_calls[0].function.arguments")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "stop": ["a", 3]}""", "stop[1]")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "n": 2}""", "n")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "response_format": {"type": "json_object"}}""", "response_format.type")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "logit_bias": {"abc": 1}}""", "logit_bias.abc")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "logit_bias": {"5": 1e400}}""", "logit_bias.5")]
    [TestCase("""{"messages": [{"role": "user", "content": "Hi"}], "stream_options": {"include_usage": true}}""", "stream_options")]
    public async Task Bad_requests_get_a_400_naming_the_field(string body, string param)
    {
        var (status, error) = await PostAsync("/v1/chat/completions", body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), error.ToString());
        Assert.That(error.GetProperty("error").GetProperty("param").GetString(), Is.EqualTo(param));
        Assert.That(error.GetProperty("error").GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
        Assert.That(error.GetProperty("error").GetProperty("message").GetString(), Does.Contain(param.Split('.', '[')[0]));
    }

    [Test]
    public async Task Limits_auth_and_unknown_models_are_refused_clearly()
    {
        var (status, error) = await PostAsync("/v1/completions", """{"prompt": [99999999], "max_tokens": 1}""");
        Assert.That((status, error.GetProperty("error").GetProperty("param").GetString()), Is.EqualTo((HttpStatusCode.BadRequest, "prompt[0]")));

        // The prompt bound (2,000 tokens here) is checked after the chat template renders.
        string longText = string.Join(" ", Enumerable.Repeat("the quick brown fox", 800));
        (status, error) = await PostAsync("/v1/chat/completions", JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = longText } } }));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.GetProperty("error").GetProperty("message").GetString(), Does.Contain("at most 2000"));
        Assert.That(error.GetProperty("error").GetProperty("param").GetString(), Is.EqualTo("messages"));
        (status, error) = await PostAsync("/v1/completions", JsonSerializer.Serialize(new { prompt = Enumerable.Repeat(5, 2001) }));
        Assert.That((status, error.GetProperty("error").GetProperty("param").GetString()), Is.EqualTo((HttpStatusCode.BadRequest, "prompt")));

        (status, error) = await PostAsync("/v1/completions", JsonSerializer.Serialize(new { prompt = new string('x', 70_000) }));
        Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), error.ToString());

        (status, error) = await PostAsync("/v1/chat/completions", """{"model": "gpt-4", "messages": [{"role": "user", "content": "Hi"}]}""");
        Assert.That((status, error.GetProperty("error").GetProperty("code").GetString()), Is.EqualTo((HttpStatusCode.NotFound, "model_not_found")));

        (status, _) = await PostAsync("/v1/chat/completions", "{not json");
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));

        using var anonymous = _server.CreateClient(apiKey: null);
        using var wrong = _server.CreateClient(apiKey: "nope");
        foreach (var client in new[] { anonymous, wrong })
        {
            using var response = await client.GetAsync("/v1/models");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        using var health = await anonymous.GetAsync("/health");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "health needs no key");
    }

    [Test]
    public async Task A_client_that_disconnects_cancels_its_request_in_the_engine()
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"prompt": "Tell me a long story", "max_tokens": 3500, "ignore_eos": true, "stream": true}""", Encoding.UTF8, "application/json"),
        }, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[256];
        Assert.That(await stream.ReadAsync(buffer), Is.GreaterThan(0));
        Assert.That(_server.Engine.GetStatistics().RunningRequestCount + _server.Engine.GetStatistics().WaitingRequestCount, Is.EqualTo(1));
        response.Dispose(); // the connection closes mid-stream

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        GlmEngineStatistics statistics;
        while ((statistics = _server.Engine.GetStatistics()).RunningRequestCount + statistics.WaitingRequestCount > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.That(statistics.RunningRequestCount + statistics.WaitingRequestCount, Is.Zero, "the request left the engine");
        Assert.That(statistics.InUsePageCount, Is.Zero, "its KV pages were released");
        var finished = await _http.GetStringAsync("/metrics");
        Assert.That(finished, Does.Not.Contain("glm_generation_tokens_total 35"), "it did not run to its 3,500 tokens");
    }

    [Test]
    public async Task Models_health_and_metrics_answer()
    {
        var models = JsonDocument.Parse(await _http.GetStringAsync("/v1/models")).RootElement;
        Assert.That(models.GetProperty("data")[0].GetProperty("id").GetString(), Is.EqualTo("glm-demo"));
        var health = JsonDocument.Parse(await _http.GetStringAsync("/health")).RootElement;
        Assert.That(health.GetProperty("status").GetString(), Is.EqualTo("ok"));

        await PostAsync("/v1/completions", """{"prompt": "metrics please", "max_tokens": 2}""");
        string metrics = await _http.GetStringAsync("/metrics");
        Assert.That(metrics, Does.Contain("# TYPE glm_time_to_first_token_seconds histogram"));
        Assert.That(metrics, Does.Contain("glm_time_to_first_token_seconds_bucket{le=\"+Inf\"}"));
        Assert.That(metrics, Does.Contain("# TYPE glm_prefix_cache_queried_tokens_total counter"));
        Assert.That(metrics, Does.Contain("# TYPE glm_requests_running gauge"));
        Assert.That(metrics, Does.Match(@"glm_requests_finished_total\{finish_reason=""length""\} \d+"));
        Assert.That(metrics, Does.Not.Contain("# TYPE glm_time_to_first_token_seconds histogram\n# TYPE"), "one TYPE line per family");
    }

    [Test]
    public async Task Metrics_are_this_engines_only()
    {
        // Another engine in the same process reports to a meter of the same name; the gateway must not count it.
        using var dir = new Support.TempDirectory();
        await using (var other = await GlmEngine.LoadAsync(GlmRuntime.Checkpoints.DemoModel.EnsureCreated(dir.File("other"))))
            await other.GenerateAsync([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], other.DefaultSamplingParams with { MaxTokens = 3 });
        await PostAsync("/v1/completions", """{"prompt": [3, 4, 5], "max_tokens": 2}""");
        string metrics = await _http.GetStringAsync("/metrics");
        var queried = System.Text.RegularExpressions.Regex.Match(metrics, @"^glm_prefix_cache_queried_tokens_total (\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.That(queried.Success, Is.True, metrics);
        Assert.That(long.Parse(queried.Groups[1].Value), Is.EqualTo(_server.Engine.GetStatistics().PrefixQueriedTokenCount));
    }
}
