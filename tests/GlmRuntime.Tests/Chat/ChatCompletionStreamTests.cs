using GlmRuntime.Chat;

namespace GlmRuntime.Tests.Chat;

[TestFixture]
public sealed class ChatCompletionStreamTests
{
    private static List<ChatCompletionUpdate> Run(ChatCompletionStream stream, FinishReason finish, params string[] texts) =>
        texts.Select((t, i) => stream.Push(new GenerationUpdate(t, [i], i == texts.Length - 1 ? finish : null,
            i == texts.Length - 1 ? new GenerationUsage(5, texts.Length) : null))).ToList();

    [Test]
    public void Reasoning_then_content_then_a_tool_call_finish_with_tool_calls()
    {
        var stream = new ChatCompletionStream(new ReasoningSplitter(null, null), new GlmToolCallParser([]));
        var updates = Run(stream, FinishReason.Stop, "Need the weather.</th", "ink>Checking", ".<tool_call>get_weather<arg_key>city",
            "</arg_key><arg_value>Paris</arg_value></tool_call>");
        Assert.That(string.Concat(updates.Select(u => u.Reasoning)), Is.EqualTo("Need the weather."));
        Assert.That(string.Concat(updates.Select(u => u.Content)), Is.EqualTo("Checking."));
        Assert.That(updates[^1].FinishReason, Is.EqualTo(FinishReason.ToolCalls));
        Assert.That(updates[^1].ToolCalls.Single().ArgumentsJson, Is.EqualTo("{\"city\": \"Paris\"}"));
        Assert.That(updates.Take(3).All(u => u.ToolCalls.Count == 0), Is.True, "complete calls come with the last update");
        Assert.That(updates[^1].Usage, Is.Not.Null);
    }

    [Test]
    public void Without_tools_markup_is_content_and_the_finish_reason_is_kept()
    {
        var stream = new ChatCompletionStream(null, null);
        var updates = Run(stream, FinishReason.Stop, "<tool_call>x</tool_call>");
        Assert.That(updates.Single().Content, Is.EqualTo("<tool_call>x</tool_call>"));
        Assert.That(updates.Single().FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(updates.Single().ReasoningTokenCount, Is.Zero);
    }

    [Test]
    public void A_call_cut_off_by_length_keeps_the_length_finish_reason()
    {
        var stream = new ChatCompletionStream(null, new GlmToolCallParser([]));
        var updates = Run(stream, FinishReason.Length, "<tool_call>f<arg_key>a</arg_key><arg_value>1");
        Assert.That(updates.Single().FinishReason, Is.EqualTo(FinishReason.Length));
        Assert.That(updates.Single().ToolCalls.Single().ArgumentsJson, Is.EqualTo("{\"a\": 1}"));
    }

    [Test]
    public void A_step_carries_one_delta_per_call()
    {
        // Start and end of a call in one step (a zero-argument call, or one closed by the token limit) must not
        // produce two entries with the same index in one chunk.
        var stream = new ChatCompletionStream(null, new GlmToolCallParser([]));
        var update = stream.Push(new GenerationUpdate("<tool_call>get_time</tool_call><tool_call>f<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>", [1], FinishReason.Stop, new GenerationUsage(1, 1)));
        Assert.That(update.ToolCallDeltas.Select(d => d.Index), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(update.ToolCallDeltas.Select(d => (d.Name, d.ArgumentsDelta)), Is.EqualTo(new[] { ("get_time", "{}"), ("f", "{\"a\": 1}") }));
        Assert.That(update.ToolCallDeltas.All(d => d.Id is not null), Is.True);
    }
}
