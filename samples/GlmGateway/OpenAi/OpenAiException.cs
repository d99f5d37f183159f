using System.Text.Json;

namespace GlmGateway.OpenAi;

/// <summary>A request the gateway refuses, answered as OpenAI's error object: <c>{"error": {message, type, param, code}}</c>.</summary>
internal sealed class OpenAiException(int status, string message, string? param = null, string type = "invalid_request_error", string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string? Param { get; } = param;
    public string Type { get; } = type;
    public string? Code { get; } = code;

    public static OpenAiException BadField(string param, string message) => new(StatusCodes.Status400BadRequest, message, param);

    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", Message);
        json.WriteString("type", Type);
        if (Param is null) json.WriteNull("param"); else json.WriteString("param", Param);
        if (Code is null) json.WriteNull("code"); else json.WriteString("code", Code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(response.Body, ResponseFields.WriterOptions))
            WriteTo(json);
    }
}
