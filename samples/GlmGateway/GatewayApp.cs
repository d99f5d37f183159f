using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GlmGateway.Metrics;
using GlmGateway.OpenAi;
using GlmRuntime;
using GlmRuntime.Chat;

namespace GlmGateway;

/// <summary>
/// The OpenAI-compatible server around one <see cref="GlmEngine"/>: /v1/chat/completions, /v1/completions,
/// /v1/models, /health and Prometheus /metrics. The engine belongs to the caller.
/// </summary>
internal static class GatewayApp
{
    public static WebApplication Build(GlmEngine engine, GatewayOptions options, string modelId, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls(options.Urls);
        // The gateway answers 413 itself above MaxRequestBodyBytes; Kestrel's own limit sits 1 MiB higher so that it can
        // still drain (rather than reset) an oversized body after that answer, and the client reads the 413.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes + (1 << 20));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();

        var state = new GatewayState(engine, options, modelId);
        var metrics = new PrometheusExporter(engine);
        app.Lifetime.ApplicationStopped.Register(metrics.Dispose);

        app.Use(async (context, next) =>
        {
            try
            {
                if (context.Request.Path.StartsWithSegments("/v1") && !Authorized(context, options.ApiKey))
                    throw new OpenAiException(StatusCodes.Status401Unauthorized, "Incorrect API key provided.", code: "invalid_api_key");
                await next(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && ToOpenAiError(e, context) is { } error)
            {
                await error.WriteAsync(context.Response);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; the engine has already dropped the request.
            }
        });

        app.MapPost("/v1/chat/completions", context => ChatCompletionsEndpoint.HandleAsync(context, state));
        app.MapPost("/v1/completions", context => CompletionsEndpoint.HandleAsync(context, state));
        app.MapGet("/v1/models", context => WriteModelsAsync(context, state));
        app.MapGet("/health", async context =>
        {
            var statistics = engine.GetStatistics();
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.Body, ResponseFields.WriterOptions);
            json.WriteStartObject();
            json.WriteString("status", "ok");
            json.WriteNumber("running_requests", statistics.RunningRequestCount);
            json.WriteNumber("waiting_requests", statistics.WaitingRequestCount);
            json.WriteEndObject();
        });
        app.MapGet("/metrics", async context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(metrics.Scrape(), context.RequestAborted);
        });
        app.MapFallback(context => new OpenAiException(StatusCodes.Status404NotFound,
            $"No route for {context.Request.Method} {context.Request.Path}.", code: "not_found").WriteAsync(context.Response));
        return app;
    }

    /// <summary>The error a failed request gets; null lets the exception through (a bug: 500 from Kestrel).</summary>
    private static OpenAiException? ToOpenAiError(Exception e, HttpContext context) => e switch
    {
        OpenAiException openAi => openAi,
        OperationCanceledException when context.RequestAborted.IsCancellationRequested => null,
        ChatTemplateException template => new OpenAiException(StatusCodes.Status400BadRequest, template.Message, "messages"),
        // The engine names the field of the request it refuses (prompt too long, bad token ids, bad sampling values).
        ArgumentException argument => new OpenAiException(StatusCodes.Status400BadRequest, argument.Message, ParamOf(argument, context)),
        BadHttpRequestException bad => new OpenAiException(bad.StatusCode, bad.Message),
        InvalidOperationException invalid => new OpenAiException(StatusCodes.Status500InternalServerError, invalid.Message, type: "server_error"),
        _ => null,
    };

    private static string? ParamOf(ArgumentException e, HttpContext context) => e.ParamName switch
    {
        nameof(GenerationRequest.MaxPromptTokens) or "request" or "messages" =>
            context.Request.Path.StartsWithSegments("/v1/completions") ? "prompt" : "messages",
        null => null,
        var name => name,
    };

    private static bool Authorized(HttpContext context, string? apiKey)
    {
        if (apiKey is null)
            return true;
        string header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return false;
        // Constant time, so the key cannot be guessed byte by byte from response times.
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(apiKey));
    }

    private static async Task WriteModelsAsync(HttpContext context, GatewayState state)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, ResponseFields.WriterOptions);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        json.WriteStartObject();
        json.WriteString("id", state.ModelId);
        json.WriteString("object", "model");
        json.WriteNumber("created", 0);
        json.WriteString("owned_by", "glmruntime");
        json.WriteNumber("max_model_len", state.Engine.MaxSequenceLength);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
