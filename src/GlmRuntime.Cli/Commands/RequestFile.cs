using System.Text.Json;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// Reads a JSON-lines request file for <c>glm generate --requests</c>: one object per line,
/// <c>{"id", "prompt" | "ids", "max_tokens", "temperature", "top_p", "top_k", "min_p", "stop", "seed", "ignore_eos"}</c>.
/// Blank lines are skipped; a null field counts as absent. The whole file is checked before the model loads: bad
/// JSON, an unknown field or a value of the wrong type or range fails with the file, line and field. Checks that
/// need the model (vocabulary, context length, tokenizer) are per request, later.
/// </summary>
internal static class RequestFile
{
    /// <summary>Parses every request of <paramref name="path"/> in file order.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file, line and field.</exception>
    public static List<RequestLine> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"requests file '{path}' does not exist", path);
        var requests = new List<RequestLine>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            try
            {
                requests.Add(ParseLine(line, lineNumber));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path} line {lineNumber}: {e.Message}", e);
            }
        }
        return requests;
    }

    /// <summary>One line; errors carry only the detail (the caller adds file and line).</summary>
    private static RequestLine ParseLine(string line, int lineNumber)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException("expected a JSON object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            JsonElement? id = null;
            var request = new RequestLine(lineNumber, default);
            foreach (JsonProperty field in root.EnumerateObject())
            {
                if (!seen.Add(field.Name))
                    throw new InvalidDataException($"field '{field.Name}' appears more than once");
                JsonElement v = field.Value;
                if (field.Name == "id")
                {
                    id = v.ValueKind is JsonValueKind.String or JsonValueKind.Number ? v.Clone() : throw Expected(field, "a string or a number");
                    continue;
                }
                if (v.ValueKind == JsonValueKind.Null)
                    continue;
                request = field.Name switch
                {
                    "prompt" => request with { Prompt = String(field) },
                    "ids" => request with { Ids = TokenIds(field) },
                    "max_tokens" => request with { MaxTokens = Int(field, min: 1, "an integer ≥ 1") },
                    "temperature" => request with { Temperature = Number(field, x => x >= 0, "a number ≥ 0") },
                    "top_p" => request with { TopP = Number(field, x => x > 0 && x <= 1, "a number in (0, 1]") },
                    "top_k" => request with { TopK = Int(field, min: int.MinValue, "an integer") },
                    "min_p" => request with { MinP = Number(field, x => x >= 0 && x <= 1, "a number in [0, 1]") },
                    "stop" => request with { Stop = StopStrings(field) },
                    "seed" => request with { Seed = v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long s) ? s : throw Expected(field, "a 64-bit integer") },
                    "ignore_eos" => request with { IgnoreEos = v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Expected(field, "true or false") },
                    _ => throw new InvalidDataException($"unknown field '{field.Name}'"),
                };
            }
            if (id is null)
                throw new InvalidDataException("field 'id' is required");
            if ((request.Prompt is null) == (request.Ids is null))
                throw new InvalidDataException("give exactly one of the fields 'prompt' and 'ids'");
            return request with { Id = id.Value };
        }
    }

    private static InvalidDataException Expected(JsonProperty field, string what) =>
        new($"field '{field.Name}' must be {what}, got {Describe(field.Value)}");

    /// <summary>The value as written, shortened so a long prompt or list does not flood the message.</summary>
    private static string Describe(JsonElement v)
    {
        string raw = v.GetRawText();
        return raw.Length <= 40 ? raw : raw[..37] + "...";
    }

    private static string String(JsonProperty field) =>
        field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : throw Expected(field, "a string");

    private static int Int(JsonProperty field, int min, string what) =>
        field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt32(out int n) && n >= min ? n : throw Expected(field, what);

    private static double Number(JsonProperty field, Func<double, bool> inRange, string what) =>
        field.Value.ValueKind == JsonValueKind.Number && field.Value.GetDouble() is var x && double.IsFinite(x) && inRange(x)
            ? x
            : throw Expected(field, what);

    private static int[] TokenIds(JsonProperty field)
    {
        const string what = "a non-empty array of token ids (integers ≥ 0)";
        if (field.Value.ValueKind != JsonValueKind.Array || field.Value.GetArrayLength() == 0)
            throw Expected(field, what);
        var ids = new int[field.Value.GetArrayLength()];
        int i = 0;
        foreach (JsonElement e in field.Value.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out ids[i]) || ids[i] < 0)
                throw new InvalidDataException($"field '{field.Name}' must be {what}, got {Describe(e)} at position {i}");
            i++;
        }
        return ids;
    }

    /// <summary>OpenAI's <c>stop</c>: one string or a list of them, none empty.</summary>
    private static string[] StopStrings(JsonProperty field)
    {
        const string what = "a non-empty string or a list of them";
        JsonElement v = field.Value;
        if (v.ValueKind == JsonValueKind.String)
            return v.GetString() is { Length: > 0 } s ? [s] : throw Expected(field, what);
        if (v.ValueKind != JsonValueKind.Array)
            throw Expected(field, what);
        var stops = new List<string>();
        foreach (JsonElement e in v.EnumerateArray())
            stops.Add(e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s ? s : throw Expected(field, what));
        return [.. stops];
    }
}
