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
        const string kind = "text_completion";
        var header = ResponseHeader.Create("cmpl-", state.ModelId);
        var tokenizer = state.Engine.Tokenizer;

        void Choice(Utf8JsonWriter json, string text, IReadOnlyList<GeneratedTokenLogprobs>? logprobs, int textOffset, FinishReason? finish)
        {
            header.WriteStart(json, kind);
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
            int offset = 0;
            await events.RunAsync(updates, () => Task.CompletedTask, async update =>
            {
                int at = offset;
                offset += update.Text.Length;
                if (update.Text.Length == 0 && update.FinishReason is null && update.Logprobs is not { Count: > 0 })
                    return;
                await events.WriteAsync(json =>
                {
                    Choice(json, update.Text, update.Logprobs, at, update.FinishReason);
                    json.WriteEndObject();
                }, aborted);
                if (update.FinishReason is not null && parsed.IncludeUsage && update.Usage is { } usage)
                    await events.WriteAsync(json => header.WriteUsageChunk(json, kind, usage), aborted);
            }, aborted);
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
