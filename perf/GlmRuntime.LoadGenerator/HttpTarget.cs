using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace GlmRuntime.LoadGenerator;

/// <summary>
/// Requests to an OpenAI-compatible server (GlmGateway, or vLLM/sglang for comparison): streaming
/// <c>/v1/completions</c> with token-id prompts and <c>ignore_eos</c>, usage from the final chunk; the prefix-cache and
/// speculative counters from its Prometheus <c>/metrics</c>.
/// </summary>
public sealed class HttpTarget : IServingTarget, IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _model;

    /// <param name="baseUrl">The server's root, e.g. http://127.0.0.1:8000.</param>
    /// <param name="apiKey">Sent as a bearer token when set.</param>
    /// <param name="model">The model field of each request; null leaves it out.</param>
    public HttpTarget(string baseUrl, string? apiKey = null, string? model = null)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (apiKey is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _model = model;
        Description = baseUrl;
    }

    public string Description { get; }

    public async Task<RequestOutcome> RunAsync(WorkloadRequest request, CancellationToken cancellationToken)
    {
        string body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = _model,
            ["prompt"] = request.PromptTokenIds,
            ["max_tokens"] = request.OutputTokens,
            ["ignore_eos"] = true,
            ["stream"] = true,
            ["stream_options"] = new Dictionary<string, object> { ["include_usage"] = true },
        }.Where(p => p.Value is not null).ToDictionary());
        var recorder = new OutcomeRecorder(request);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return recorder.Failed($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                    continue;
                string data = line["data: ".Length..];
                if (data == "[DONE]")
                    break;
                using var chunk = JsonDocument.Parse(data);
                var root = chunk.RootElement;
                if (root.TryGetProperty("error", out var error))
                    return recorder.Failed(error.ToString());
                if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                    && choices[0].TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 })
                    recorder.Chunk();
                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    int cached = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
                        && details.TryGetProperty("cached_tokens", out var c) ? c.GetInt32() : 0;
                    return recorder.Succeeded(usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32(), cached);
                }
            }
            // No usage (a server that does not send it): count what was asked for, as sglang's client does.
            return recorder.Succeeded(request.PromptTokenIds.Length, request.OutputTokens, 0);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return recorder.Failed(e.Message);
        }
    }

    public async Task<ServerCounters> ReadCountersAsync(CancellationToken cancellationToken)
    {
        string text = await _http.GetStringAsync("metrics", cancellationToken);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            int space = line.LastIndexOf(' ');
            string name = line[..space];
            int brace = name.IndexOf('{');
            if (brace >= 0)
                name = name[..brace];
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                values[name] = values.GetValueOrDefault(name) + value;
        }
        double Get(string name) => values.GetValueOrDefault(name);
        return new ServerCounters(Get("glm_prefix_cache_queried_tokens_total"), Get("glm_prefix_cache_hit_tokens_total"),
            Get("glm_spec_decode_num_draft_tokens_total"), Get("glm_spec_decode_num_accepted_tokens_total"), Get("glm_spec_decode_num_drafts_total"));
    }

    public void Dispose() => _http.Dispose();
}
