using System.Text;
using System.Text.Json;
using GlmRuntime;

namespace GlmGateway.OpenAi;

/// <summary><c>POST /v1/completions</c>: a raw prompt (text or token ids) continued, streamed or in one body.</summary>
internal static class CompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        JsonElement body = await state.ReadBodyAsync(context);
        var parsed = OpenAiRequest.ParseCompletion(body, state.Engine.DefaultSamplingParams, state.Options, state.Engine.Config.VocabSize);
        state.CheckModel(parsed.Model);
        CancellationToken aborted = context.RequestAborted;
        var updates = state.Engine.GenerateStreamingAsync(parsed.Request, aborted);
        string id = ResponseFields.NewId("cmpl-");
        long created = ResponseFields.UnixNow();
        var tokenizer = state.Engine.Tokenizer;

        void Header(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("object", "text_completion");
            json.WriteNumber("created", created);
            json.WriteString("model", state.ModelId);
        }

        void Choice(Utf8JsonWriter json, string text, IReadOnlyList<GeneratedTokenLogprobs>? logprobs, int textOffset, FinishReason? finish)
        {
            Header(json);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteString("text", text);
            ResponseFields.WriteCompletionLogprobs(json, tokenizer, parsed.Logprobs is null ? null : logprobs ?? [], textOffset);
            if (finish is { } reason)
                json.WriteString("finish_reason", ResponseFields.FinishReasonName(reason));
            else
                json.WriteNull("finish_reason");
            json.WriteEndObject();
            json.WriteEndArray();
        }

        if (parsed.Stream)
        {
            var events = new ServerSentEvents(context.Response);
            await using var enumerator = updates.GetAsyncEnumerator(aborted);
            bool any = await enumerator.MoveNextAsync(); // a rejected request still gets its 400
            await events.StartAsync(aborted);
            int offset = 0;
            try
            {
                for (; any; any = await enumerator.MoveNextAsync())
                {
                    GenerationUpdate update = enumerator.Current;
                    int at = offset;
                    offset += update.Text.Length;
                    if (update.Text.Length == 0 && update.FinishReason is null && update.Logprobs is not { Count: > 0 })
                        continue;
                    await events.WriteAsync(json =>
                    {
                        Choice(json, update.Text, update.Logprobs, at, update.FinishReason);
                        json.WriteEndObject();
                    }, aborted);
                    if (update.FinishReason is not null && parsed.IncludeUsage && update.Usage is { } usage)
                    {
                        await events.WriteAsync(json =>
                        {
                            Header(json);
                            json.WriteStartArray("choices");
                            json.WriteEndArray();
                            ResponseFields.WriteUsage(json, usage);
                            json.WriteEndObject();
                        }, aborted);
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException && !aborted.IsCancellationRequested)
            {
                await events.WriteErrorAsync(e, aborted);
            }
            await events.DoneAsync(aborted);
            return;
        }

        var text = new StringBuilder();
        List<GeneratedTokenLogprobs>? all = null;
        GenerationUpdate? last = null;
        await foreach (GenerationUpdate update in updates.WithCancellation(aborted))
        {
            text.Append(update.Text);
            if (update.Logprobs is { } lp)
                (all ??= []).AddRange(lp);
            last = update;
        }
        if (last?.FinishReason is not { } finish || last.Usage is not { } final)
            throw new InvalidOperationException("The engine ended the request without a final update.");
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body, ResponseFields.WriterOptions);
        Choice(writer, text.ToString(), all, 0, finish);
        ResponseFields.WriteUsage(writer, final);
        writer.WriteEndObject();
    }
}
