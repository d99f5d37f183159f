namespace GlmRuntime.Chat;

/// <summary>
/// Divides one chat answer's engine updates into reasoning, content and tool calls: GLM's reasoning parser
/// (<see cref="ReasoningSplitter"/>, split at <c>&lt;/think&gt;</c>) first, then its tool-call parser
/// (<see cref="GlmToolCallParser"/>) over the answer. Shared by the IChatClient adapter and the gateway, so both
/// read the model's output the same way. One instance per answer.
/// </summary>
internal sealed class ChatCompletionStream
{
    private readonly ReasoningSplitter? _reasoning;
    private readonly GlmToolCallParser? _tools;

    /// <param name="reasoning">Null when the prompt skipped thinking (all output is answer).</param>
    /// <param name="tools">Null when tools are off (all answer text is content).</param>
    public ChatCompletionStream(ReasoningSplitter? reasoning, GlmToolCallParser? tools)
    {
        _reasoning = reasoning;
        _tools = tools;
    }

    public ChatCompletionUpdate Push(GenerationUpdate update)
    {
        string reasoning = "", answer = update.Text;
        bool last = update.FinishReason is not null;
        if (_reasoning is not null)
        {
            (reasoning, answer) = _reasoning.Push(update.Text, update.TokenIds);
            if (last)
                reasoning += _reasoning.Flush(); // held-back text exists only while still reasoning
        }

        string content = answer;
        IReadOnlyList<GlmToolCallDelta> deltas = [];
        if (_tools is not null)
        {
            (content, deltas) = _tools.Push(answer);
            if (last)
            {
                var (restContent, restDeltas) = _tools.Flush();
                content += restContent;
                deltas = [.. deltas, .. restDeltas];
            }
        }

        deltas = Coalesce(deltas);
        FinishReason? finish = update.FinishReason;
        if (finish == FinishReason.Stop && _tools is { Calls.Count: > 0 })
            finish = FinishReason.ToolCalls;
        return new ChatCompletionUpdate(reasoning, content, deltas, update.TokenIds, finish, update.Usage)
        {
            Logprobs = update.Logprobs,
            ToolCalls = last && _tools is not null ? _tools.Calls : [],
            ReasoningTokenCount = !last ? null : _reasoning is null ? 0 : _reasoning.ReasoningTokenCount,
        };
    }

    /// <summary>
    /// One delta per call and step (OpenAI's streams never repeat an index within a chunk, and clients such as
    /// openai-python's stream helper take a chunk's first entry per index as the whole): the first keeps the id and
    /// name, the argument pieces are joined.
    /// </summary>
    private static IReadOnlyList<GlmToolCallDelta> Coalesce(IReadOnlyList<GlmToolCallDelta> deltas)
    {
        if (deltas.Count < 2)
            return deltas;
        var merged = new List<GlmToolCallDelta>();
        foreach (GlmToolCallDelta delta in deltas)
        {
            if (merged.Count > 0 && merged[^1].Index == delta.Index)
                merged[^1] = merged[^1] with { ArgumentsDelta = merged[^1].ArgumentsDelta + delta.ArgumentsDelta };
            else
                merged.Add(delta);
        }
        return merged;
    }
}
