using System.Text;
using System.Text.Json;

namespace GlmRuntime.Cli.Commands;

/// <summary>How one request of a <c>--requests</c> file ended: a result, or the reason it failed.</summary>
internal sealed record RequestOutcome(GenerationResult? Result, string? Error)
{
    public static RequestOutcome Succeeded(GenerationResult result) => new(result, null);

    public static RequestOutcome Failed(string error) => new(null, error);

    /// <summary>
    /// Writes one line: <c>{"id", "output_ids", "text", "finish_reason", "usage": {"prompt_tokens", "completion_tokens",
    /// "cached_tokens", "time_to_first_token_ms"[, "speculative"]}}</c>, or <c>{"id", "error"}</c>.
    /// </summary>
    public void WriteLine(TextWriter output, JsonElement id)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonLines.WriterOptions))
        {
            w.WriteStartObject();
            w.WritePropertyName("id");
            id.WriteTo(w);
            if (Result is { } r)
            {
                w.WriteStartArray("output_ids");
                foreach (int token in r.OutputTokenIds)
                    w.WriteNumberValue(token);
                w.WriteEndArray();
                w.WriteString("text", r.Text);
                w.WriteString("finish_reason", r.FinishReason == FinishReason.Stop ? "stop" : "length");
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", r.Usage.PromptTokenCount);
                w.WriteNumber("completion_tokens", r.Usage.CompletionTokenCount);
                w.WriteNumber("cached_tokens", r.Usage.CachedTokenCount);
                // Microseconds are the clock's useful resolution; more digits are noise.
                w.WriteNumber("time_to_first_token_ms", Math.Round(r.Usage.TimeToFirstToken.TotalMilliseconds, 3));
                JsonLines.WriteSpeculative(w, r.Usage.Speculative);
                w.WriteEndObject();
            }
            else
                w.WriteString("error", Error);
            w.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }
}
