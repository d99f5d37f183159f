using GlmGateway;
using GlmRuntime.Checkpoints;
using GlmRuntime.Tests.Support;
using Microsoft.AspNetCore.Builder;

namespace GlmRuntime.Tests.GlmGateway;

/// <summary>The gateway on the demo model, listening on a free loopback port (Kestrel picks it: port 0).</summary>
internal sealed class GatewayServer : IAsyncDisposable
{
    public const string ApiKey = "test-key-123";

    private readonly TempDirectory _dir;
    private readonly WebApplication _app;

    private GatewayServer(TempDirectory dir, GlmEngine engine, WebApplication app, string modelId)
    {
        _dir = dir;
        Engine = engine;
        _app = app;
        ModelId = modelId;
        BaseUrl = app.Urls.Single();
    }

    public GlmEngine Engine { get; }

    public string ModelId { get; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string BaseUrl { get; }

    public static async Task<GatewayServer> StartAsync(GatewayOptions? options = null)
    {
        var dir = new TempDirectory();
        string model = DemoModel.EnsureCreated(dir.File("demo"));
        options ??= new GatewayOptions { ApiKey = ApiKey, MaxPromptTokens = 2000, MaxRequestBodyBytes = 64 * 1024 };
        options = options with { Urls = "http://127.0.0.1:0" };
        var engine = await GlmEngine.LoadAsync(model, options.Engine);
        var app = GatewayApp.Build(engine, options, "glm-demo");
        await app.StartAsync();
        return new GatewayServer(dir, engine, app, "glm-demo");
    }

    public HttpClient CreateClient(string? apiKey = ApiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        if (apiKey is not null)
            client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Engine.DisposeAsync();
        _dir.Dispose();
    }
}
