using System.Text.Encodings.Web;
using System.Text.Json;

namespace GlmRuntime.Cli.Commands;

/// <summary>Reads JSON lines from stdin and writes one compact JSON object per input line, in order.</summary>
internal static class JsonLines
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <c>"speculative": {"rounds", "draft_tokens", "accepted_tokens", "accept_length"}</c> inside a usage
    /// object when the request speculated (accept_length is sglang's mean tokens per verifying forward).
    /// </summary>
    public static void WriteSpeculative(Utf8JsonWriter w, SpeculativeDecodingStatistics? statistics)
    {
        if (statistics is null)
            return;
        w.WriteStartObject("speculative");
        w.WriteNumber("rounds", statistics.RoundCount);
        w.WriteNumber("draft_tokens", statistics.DraftTokenCount);
        w.WriteNumber("accepted_tokens", statistics.AcceptedTokenCount);
        w.WriteNumber("accept_length", Math.Round(statistics.MeanTokensPerTargetForward, 4));
        w.WriteEndObject();
    }

    /// <summary>Runs <paramref name="handle"/> on each non-empty line; a malformed line fails naming its number.</summary>
    public static int Process(TextReader input, TextWriter output, CancellationToken cancellationToken, Action<JsonElement, Utf8JsonWriter> handle)
    {
        int lineNumber = 0;
        using var buffer = new MemoryStream();
        while (input.ReadLine() is { } line)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"stdin line {lineNumber}: not valid JSON ({e.Message})", e);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"stdin line {lineNumber}: expected a JSON object");
                buffer.SetLength(0);
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
                {
                    try
                    {
                        handle(doc.RootElement, writer);
                    }
                    catch (InvalidDataException e)
                    {
                        throw new InvalidDataException($"stdin line {lineNumber}: {e.Message}", e);
                    }
                }
                output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            }
        }
        output.Flush();
        return 0;
    }

    /// <summary>The string field <paramref name="name"/>, or an error naming it.</summary>
    public static string RequiredString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new InvalidDataException($"field '{name}' must be a string");
}
