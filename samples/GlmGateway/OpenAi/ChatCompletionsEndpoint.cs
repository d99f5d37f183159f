using System.Text;
using System.Text.Json;
using GlmRuntime;

namespace GlmGateway.OpenAi;

/// <summary>
/// <c>POST /v1/chat/completions</c>: GLM's reasoning as <c>reasoning_content</c>, tool calls as <c>tool_calls</c>
/// (streamed as they are parsed), usage with cached prompt tokens; streaming as server-sent events or one JSON body.
/// </summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        JsonElement body = await state.ReadBodyAsync(context);
        var parsed = OpenAiRequest.ParseChat(body, state.Engine.DefaultSamplingParams, state.Options);
        state.CheckModel(parsed.Model);
        CancellationToken aborted = context.RequestAborted;
        // Throws here (400) for a prompt the engine refuses; from now on the request is in the engine, and a client
        // that goes away cancels it through RequestAborted.
        var updates = state.Engine.GenerateChatCompletionStreamingAsync(parsed.Request, aborted);
        var response = ResponseHeader.Create("chatcmpl-", state.ModelId);
        if (parsed.Stream)
            await StreamAsync(context, state, parsed, updates, response, aborted);
        else
            await RespondAsync(context, state, updates, response, aborted);
    }

    private static Task StreamAsync(HttpContext context, GatewayState state, OpenAiRequest parsed,
        IAsyncEnumerable<ChatCompletionUpdate> updates, ResponseHeader response, CancellationToken aborted)
    {
        var events = new ServerSentEvents(context.Response);
        return events.RunAsync(updates,
            () => events.WriteAsync(json => Chunk(json, response, delta =>
            {
                delta.WriteString("role", "assistant");
                delta.WriteString("content", "");
            }), aborted),
            async update =>
            {
                if (update.Reasoning.Length > 0 || update.Content.Length > 0 || update.ToolCallDeltas.Count > 0 || update.Logprobs is { Count: > 0 })
                    await events.WriteAsync(json => Chunk(json, response, delta => WriteDelta(delta, update),
                        logprobs: parsed.Logprobs is not null ? update.Logprobs ?? [] : null, tokenizer: state.Engine.Tokenizer), aborted);
                if (update.FinishReason is not { } finish)
                    return;
                await events.WriteAsync(json => Chunk(json, response, _ => { }, finish: finish), aborted);
                if (parsed.IncludeUsage && update.Usage is { } usage)
                    await events.WriteAsync(json => response.WriteUsageChunk(json, "chat.completion.chunk", usage, update.ReasoningTokenCount), aborted);
            },
            aborted);
    }

    private static void WriteDelta(Utf8JsonWriter delta, ChatCompletionUpdate update)
    {
        if (update.Reasoning.Length > 0)
            delta.WriteString("reasoning_content", update.Reasoning);
        if (update.Content.Length > 0)
            delta.WriteString("content", update.Content);
        if (update.ToolCallDeltas.Count == 0)
            return;
        delta.WriteStartArray("tool_calls");
        foreach (GlmToolCallDelta call in update.ToolCallDeltas)
        {
            delta.WriteStartObject();
            delta.WriteNumber("index", call.Index);
            if (call.Id is not null)
            {
                delta.WriteString("id", call.Id);
                delta.WriteString("type", "function");
            }
            delta.WriteStartObject("function");
            if (call.Name is not null)
                delta.WriteString("name", call.Name);
            delta.WriteString("arguments", call.ArgumentsDelta);
            delta.WriteEndObject();
            delta.WriteEndObject();
        }
        delta.WriteEndArray();
    }

    private static void Chunk(Utf8JsonWriter json, ResponseHeader response, Action<Utf8JsonWriter> writeDelta,
        FinishReason? finish = null, IReadOnlyList<GeneratedTokenLogprobs>? logprobs = null, GlmRuntime.Tokenization.GlmTokenizer? tokenizer = null)
    {
        response.WriteStart(json, "chat.completion.chunk");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
        ResponseFields.WriteChatLogprobs(json, tokenizer, logprobs);
        if (finish is { } reason)
            json.WriteString("finish_reason", ResponseFields.FinishReasonName(reason));
        else
            json.WriteNull("finish_reason");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static async Task RespondAsync(HttpContext context, GatewayState state, IAsyncEnumerable<ChatCompletionUpdate> updates,
        ResponseHeader response, CancellationToken aborted)
    {
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        List<GeneratedTokenLogprobs>? logprobs = null;
        ChatCompletionUpdate? last = null;
        await foreach (ChatCompletionUpdate update in updates.WithCancellation(aborted))
        {
            reasoning.Append(update.Reasoning);
            content.Append(update.Content);
            if (update.Logprobs is { } lp)
                (logprobs ??= []).AddRange(lp);
            last = update;
        }
        if (last?.FinishReason is not { } finish || last.Usage is not { } usage)
            throw new InvalidOperationException("The engine ended the request without a final update.");

        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, ResponseFields.WriterOptions);
        response.WriteStart(json, "chat.completion");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        // With tool calls, whitespace around the markup is not an answer.
        string text = last.ToolCalls.Count > 0 ? content.ToString().Trim() : content.ToString();
        if (text.Length == 0 && last.ToolCalls.Count > 0)
            json.WriteNull("content");
        else
            json.WriteString("content", text);
        if (reasoning.Length > 0)
            json.WriteString("reasoning_content", reasoning.ToString());
        if (last.ToolCalls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            foreach (GlmToolCall call in last.ToolCalls)
            {
                json.WriteStartObject();
                json.WriteString("id", call.Id);
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", call.Name);
                json.WriteString("arguments", call.ArgumentsJson);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        ResponseFields.WriteChatLogprobs(json, state.Engine.Tokenizer, logprobs);
        json.WriteString("finish_reason", ResponseFields.FinishReasonName(finish));
        json.WriteEndObject();
        json.WriteEndArray();
        ResponseFields.WriteUsage(json, usage, last.ReasoningTokenCount);
        json.WriteEndObject();
    }
}
