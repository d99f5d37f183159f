using System.Globalization;
using System.Text.Json;
using GlmRuntime;

namespace GlmGateway.OpenAi;

/// <summary>
/// A parsed /v1/chat/completions or /v1/completions body: the engine request and how to answer it. Fields are read
/// as OpenAI defines them, plus the vLLM/sglang extensions users send to open-weight servers (top_k, min_p,
/// repetition_penalty, min_tokens, ignore_eos, skip_special_tokens, chat_template_kwargs.enable_thinking) and GLM's own
/// <c>thinking: {"type": "disabled"}</c>. Unknown fields are ignored, as OpenAI's own server does.
/// </summary>
internal sealed record OpenAiRequest(GenerationRequest Request, string? Model, bool Stream, bool IncludeUsage, int? Logprobs)
{
    public const int MaxStopSequences = 16;
    public const int MaxTopLogprobs = 20;

    /// <summary>Reads a chat completion request.</summary>
    /// <exception cref="OpenAiException">A field is missing, of the wrong type or out of range; the exception names it.</exception>
    public static OpenAiRequest ParseChat(JsonElement body, SamplingParams defaults, GatewayOptions options)
    {
        var fields = Root(body);
        var sampling = ReadSampling(fields, defaults, options);
        int? logprobs = null;
        if (fields.Bool("logprobs") == true)
            logprobs = (int)(fields.Integer("top_logprobs", 0, MaxTopLogprobs) ?? 0);
        else if (fields.Get("top_logprobs") is not null)
            throw OpenAiException.BadField("top_logprobs", "'top_logprobs' needs 'logprobs': true.");
        sampling = sampling with { Logprobs = logprobs };
        CheckUnsupported(fields);

        var (tools, toolChoice) = ChatFields.ReadTools(fields);
        var request = GenerationRequest.FromChat(ChatFields.ReadMessages(fields), sampling, ChatFields.ReadThinking(fields)) with
        {
            Tools = tools,
            ToolChoice = toolChoice,
            MaxPromptTokens = options.MaxPromptTokens,
        };
        return Finish(fields, request, logprobs);
    }

    /// <summary>Reads a (legacy) completion request: a prompt as text or token ids.</summary>
    /// <exception cref="OpenAiException">A field is missing, of the wrong type or out of range; the exception names it.</exception>
    public static OpenAiRequest ParseCompletion(JsonElement body, SamplingParams defaults, GatewayOptions options, int vocabSize)
    {
        var fields = Root(body);
        var sampling = ReadSampling(fields, defaults, options);
        int? logprobs = (int?)fields.Integer("logprobs", 0, 5);
        sampling = sampling with { Logprobs = logprobs };
        if (fields.Bool("echo") == true)
            throw OpenAiException.BadField("echo", "'echo' is not supported.");
        if (fields.String("suffix") is { Length: > 0 })
            throw OpenAiException.BadField("suffix", "'suffix' is not supported: GLM has no fill-in-the-middle format here.");
        CheckUnsupported(fields);

        GenerationRequest request = fields.Get("prompt") is { } prompt
            ? ReadPrompt(prompt, vocabSize) with { Sampling = sampling, MaxPromptTokens = options.MaxPromptTokens }
            : throw OpenAiException.BadField("prompt", "'prompt' is required.");
        return Finish(fields, request, logprobs);
    }

    private static JsonFields Root(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object
            ? new JsonFields(body, "")
            : throw new OpenAiException(StatusCodes.Status400BadRequest, "The request body must be a JSON object.");

    private static OpenAiRequest Finish(JsonFields fields, GenerationRequest request, int? logprobs)
    {
        bool stream = fields.Bool("stream") ?? false;
        bool includeUsage = false;
        if (fields.Get("stream_options") is { } streamOptions)
        {
            if (!stream)
                throw OpenAiException.BadField("stream_options", "'stream_options' is only allowed with 'stream': true.");
            includeUsage = fields.Object("stream_options", streamOptions).Bool("include_usage") ?? false;
        }
        return new OpenAiRequest(request, fields.String("model"), stream, includeUsage, logprobs);
    }

    private static SamplingParams ReadSampling(JsonFields fields, SamplingParams defaults, GatewayOptions options)
    {
        long? maxTokens = fields.Integer("max_completion_tokens", 1, int.MaxValue) ?? fields.Integer("max_tokens", 1, int.MaxValue);
        if (maxTokens > options.MaxCompletionTokens)
        {
            string field = fields.Get("max_completion_tokens") is null ? "max_tokens" : "max_completion_tokens";
            throw OpenAiException.BadField(field, $"'{field}' is {maxTokens}; this server allows at most {options.MaxCompletionTokens}.");
        }
        if (fields.Integer("n", 1, int.MaxValue) is > 1)
            throw OpenAiException.BadField("n", "'n' must be 1: this server returns one choice per request.");

        int topK = (int)(fields.Integer("top_k", -1, int.MaxValue) ?? defaults.TopK);
        var sampling = defaults with
        {
            MaxTokens = (int)(maxTokens ?? options.MaxCompletionTokens),
            Temperature = fields.Number("temperature", 0, 2) ?? defaults.Temperature,
            TopP = fields.Number("top_p", double.Epsilon, 1) ?? defaults.TopP,
            TopK = Math.Max(topK, 0), // -1 is vLLM's "off"
            MinP = fields.Number("min_p", 0, 1) ?? defaults.MinP,
            PresencePenalty = fields.Number("presence_penalty", -2, 2) ?? defaults.PresencePenalty,
            FrequencyPenalty = fields.Number("frequency_penalty", -2, 2) ?? defaults.FrequencyPenalty,
            RepetitionPenalty = fields.Number("repetition_penalty", double.Epsilon, 2) ?? defaults.RepetitionPenalty,
            Seed = fields.Integer("seed", long.MinValue, long.MaxValue) ?? defaults.Seed,
            MinTokens = (int)(fields.Integer("min_tokens", 0, int.MaxValue) ?? defaults.MinTokens),
            IgnoreEos = fields.Bool("ignore_eos") ?? defaults.IgnoreEos,
            SkipSpecialTokens = fields.Bool("skip_special_tokens") ?? defaults.SkipSpecialTokens,
            Stop = ReadStop(fields) ?? defaults.Stop,
            LogitBias = ReadLogitBias(fields) ?? defaults.LogitBias,
        };
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            throw OpenAiException.BadField(e.ParamName ?? "", e.Message);
        }
        return sampling;
    }

    private static IReadOnlyList<string>? ReadStop(JsonFields fields)
    {
        if (fields.Get("stop") is not { } stop)
            return null;
        string[] sequences = stop.ValueKind switch
        {
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array => stop.EnumerateArray().Select((s, i) => s.ValueKind == JsonValueKind.String
                ? s.GetString()!
                : throw OpenAiException.BadField($"stop[{i}]", $"'stop[{i}]' must be a string.")).ToArray(),
            _ => throw fields.Wrong("stop", "a string or an array of strings", stop),
        };
        if (sequences.Length > MaxStopSequences)
            throw OpenAiException.BadField("stop", $"'stop' may hold at most {MaxStopSequences} sequences; it has {sequences.Length}.");
        if (sequences.Any(s => s.Length == 0))
            throw OpenAiException.BadField("stop", "'stop' sequences must not be empty.");
        return sequences;
    }

    private static Dictionary<int, float>? ReadLogitBias(JsonFields fields)
    {
        if (fields.Get("logit_bias") is not { } bias)
            return null;
        var map = new Dictionary<int, float>();
        foreach (JsonProperty entry in fields.Object("logit_bias", bias).Element.EnumerateObject())
        {
            string name = $"logit_bias.{entry.Name}";
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                throw OpenAiException.BadField(name, $"'logit_bias' keys must be token ids; '{entry.Name}' is not.");
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetDouble(out double value)
                || !double.IsFinite(value) || value is < -100 or > 100)
                throw OpenAiException.BadField(name, $"'{name}' must be a number between -100 and 100.");
            map[id] = (float)value;
        }
        return map;
    }

    private static void CheckUnsupported(JsonFields fields)
    {
        if (fields.Get("response_format") is { } format
            && fields.Object("response_format", format).String("type") is { } type && type != "text")
            throw OpenAiException.BadField("response_format.type",
                $"'response_format.type' {type} is not supported: this server has no constrained decoding; use 'text'.");
        fields.Integer("best_of", 1, 1); // best_of 1 is the same as none
    }

    private static GenerationRequest ReadPrompt(JsonElement prompt, int vocabSize)
    {
        // OpenAI accepts a string, a list of strings, a list of token ids, or a list of lists; one prompt per request here.
        if (prompt.ValueKind == JsonValueKind.String)
            return GenerationRequest.FromText(prompt.GetString()!);
        if (prompt.ValueKind != JsonValueKind.Array || prompt.GetArrayLength() == 0)
            throw OpenAiException.BadField("prompt", "'prompt' must be a string, a list of token ids, or a list holding one of either.");
        JsonElement first = prompt[0];
        if (first.ValueKind is JsonValueKind.String or JsonValueKind.Array)
        {
            if (prompt.GetArrayLength() != 1)
                throw OpenAiException.BadField("prompt", "'prompt' may hold one prompt only; send one request per prompt.");
            return ReadPrompt(first, vocabSize);
        }
        var ids = new int[prompt.GetArrayLength()];
        int i = 0;
        foreach (JsonElement id in prompt.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out int value) || value < 0 || value >= vocabSize)
                throw OpenAiException.BadField($"prompt[{i}]", $"'prompt[{i}]' must be a token id in [0, {vocabSize}).");
            ids[i++] = value;
        }
        return GenerationRequest.FromTokens(ids);
    }
}
