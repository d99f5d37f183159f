using System.Text;
using System.Text.Json;
using GlmRuntime;
using GlmRuntime.Tokenization;

namespace GlmGateway.OpenAi;

/// <summary>What every object of one response repeats: its id, creation time and model.</summary>
internal sealed record ResponseHeader(string Id, long Created, string Model)
{
    public static ResponseHeader Create(string idPrefix, string model) => new(ResponseFields.NewId(idPrefix), ResponseFields.UnixNow(), model);

    /// <summary>Opens the object and writes id, object (<paramref name="kind"/>), created and model.</summary>
    public void WriteStart(Utf8JsonWriter json, string kind)
    {
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("object", kind);
        json.WriteNumber("created", Created);
        json.WriteString("model", Model);
    }

    /// <summary><c>stream_options.include_usage</c>'s last chunk: no choices, the usage.</summary>
    public void WriteUsageChunk(Utf8JsonWriter json, string kind, GenerationUsage usage, int? reasoningTokens = null)
    {
        WriteStart(json, kind);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        ResponseFields.WriteUsage(json, usage, reasoningTokens);
        json.WriteEndObject();
    }
}

/// <summary>Parts shared by the chat and completion responses: ids, finish reasons, usage and logprobs.</summary>
internal static class ResponseFields
{
    /// <summary>UTF-8 text as is (no \u escapes for quotes, apostrophes or non-ASCII), as OpenAI's own server writes it.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static string FinishReasonName(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.ToolCalls => "tool_calls",
        _ => reason.ToString().ToLowerInvariant(),
    };

    /// <summary>OpenAI's usage object, with the prefix-cache hits as <c>prompt_tokens_details.cached_tokens</c>.</summary>
    public static void WriteUsage(Utf8JsonWriter json, GenerationUsage usage, int? reasoningTokens = null)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokenCount);
        json.WriteNumber("completion_tokens", usage.CompletionTokenCount);
        json.WriteNumber("total_tokens", usage.TotalTokenCount);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedTokenCount);
        json.WriteEndObject();
        if (reasoningTokens is int reasoning)
        {
            json.WriteStartObject("completion_tokens_details");
            json.WriteNumber("reasoning_tokens", reasoning);
            json.WriteEndObject();
        }
        if (usage.Speculative is { } speculative)
        {
            // An extension (sglang reports the same as spec_verify_ct / accept length in meta_info).
            json.WriteStartObject("speculative");
            json.WriteNumber("drafted_tokens", speculative.DraftTokenCount);
            json.WriteNumber("accepted_tokens", speculative.AcceptedTokenCount);
            json.WriteNumber("mean_tokens_per_target_forward", speculative.MeanTokensPerTargetForward);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>Chat logprobs: <c>{"content": [{token, logprob, bytes, top_logprobs: [...]}]}</c>.</summary>
    public static void WriteChatLogprobs(Utf8JsonWriter json, GlmTokenizer? tokenizer, IReadOnlyList<GeneratedTokenLogprobs>? logprobs)
    {
        if (logprobs is null)
        {
            json.WriteNull("logprobs");
            return;
        }
        json.WriteStartObject("logprobs");
        json.WriteStartArray("content");
        foreach (GeneratedTokenLogprobs entry in logprobs)
        {
            json.WriteStartObject();
            WriteToken(json, tokenizer, entry.Token);
            json.WriteStartArray("top_logprobs");
            foreach (TokenLogprob top in entry.TopLogprobs)
            {
                json.WriteStartObject();
                WriteToken(json, tokenizer, top);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Legacy completion logprobs: parallel <c>tokens</c>, <c>token_logprobs</c>, <c>top_logprobs</c> and <c>text_offset</c>.</summary>
    public static void WriteCompletionLogprobs(Utf8JsonWriter json, GlmTokenizer? tokenizer, IReadOnlyList<GeneratedTokenLogprobs>? logprobs, int textOffset)
    {
        if (logprobs is null)
        {
            json.WriteNull("logprobs");
            return;
        }
        json.WriteStartObject("logprobs");
        json.WriteStartArray("tokens");
        foreach (var entry in logprobs)
            json.WriteStringValue(TokenText(tokenizer, entry.Token.TokenId));
        json.WriteEndArray();
        json.WriteStartArray("token_logprobs");
        foreach (var entry in logprobs)
            json.WriteNumberValue(entry.Token.Logprob);
        json.WriteEndArray();
        json.WriteStartArray("top_logprobs");
        foreach (var entry in logprobs)
        {
            json.WriteStartObject();
            foreach (TokenLogprob top in entry.TopLogprobs)
                json.WriteNumber(TokenText(tokenizer, top.TokenId), top.Logprob);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("text_offset");
        foreach (var entry in logprobs)
        {
            json.WriteNumberValue(textOffset);
            textOffset += TokenText(tokenizer, entry.Token.TokenId).Length;
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter json, GlmTokenizer? tokenizer, TokenLogprob token)
    {
        string text = TokenText(tokenizer, token.TokenId);
        json.WriteString("token", text);
        json.WriteNumber("logprob", token.Logprob);
        json.WriteStartArray("bytes");
        foreach (byte b in Encoding.UTF8.GetBytes(text))
            json.WriteNumberValue(b);
        json.WriteEndArray();
    }

    private static string TokenText(GlmTokenizer? tokenizer, int id) =>
        tokenizer is null ? $"token_id:{id}" : tokenizer.Decode([id], skipSpecialTokens: false);
}
