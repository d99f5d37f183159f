using System.Text.Json;
using GlmGateway.OpenAi;
using GlmRuntime;

namespace GlmGateway;

/// <summary>What every endpoint shares: the engine, the options and the served model id.</summary>
internal sealed class GatewayState(GlmEngine engine, GatewayOptions options, string modelId)
{
    public GlmEngine Engine { get; } = engine;

    public GatewayOptions Options { get; } = options;

    public string ModelId { get; } = modelId;

    /// <summary>The body as JSON, bounded by <see cref="GatewayOptions.MaxRequestBodyBytes"/>.</summary>
    /// <exception cref="OpenAiException">Not JSON (400), or too large (413).</exception>
    public async Task<JsonElement> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > Options.MaxRequestBodyBytes)
            throw TooLarge();
        // Counted here as well, for bodies without a Content-Length (chunked).
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > Options.MaxRequestBodyBytes)
                    throw TooLarge();
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new OpenAiException(StatusCodes.Status400BadRequest, $"The request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Requests may name the served model or leave it out; any other name is a 404, as OpenAI answers.</summary>
    public void CheckModel(string? model)
    {
        if (model is not null && model != ModelId)
            throw new OpenAiException(StatusCodes.Status404NotFound, $"The model '{model}' does not exist; this server serves '{ModelId}'.",
                "model", code: "model_not_found");
    }

    private OpenAiException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than this server's limit of {Options.MaxRequestBodyBytes} bytes.");
}
