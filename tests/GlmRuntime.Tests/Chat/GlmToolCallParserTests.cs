using System.Text.Json;
using GlmRuntime.Chat;

namespace GlmRuntime.Tests.Chat;

[TestFixture]
public sealed class GlmToolCallParserTests
{
    private static readonly GlmTool Weather = new("get_weather", "Weather for a city", JsonDocument.Parse("""
        {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"},
         "zip": {"type": ["string", "null"]}, "units": {"enum": ["c", "f"]}}}
        """).RootElement);

    private sealed record Parsed(string Content, List<GlmToolCallDelta> Deltas, IReadOnlyList<GlmToolCall> Calls);

    private static Parsed Run(IEnumerable<string> chunks, IReadOnlyList<GlmTool>? tools = null, string? openCallName = null)
    {
        var parser = new GlmToolCallParser(tools ?? [Weather], openCallName);
        string content = "";
        var deltas = new List<GlmToolCallDelta>();
        foreach (string chunk in chunks)
        {
            var (c, d) = parser.Push(chunk);
            content += c;
            deltas.AddRange(d);
        }
        var (rest, last) = parser.Flush();
        deltas.AddRange(last);
        return new Parsed(content + rest, deltas, parser.Calls);
    }

    /// <summary>Every way to cut <paramref name="text"/> into pieces of 1 to 3 characters, as a few fixed patterns.</summary>
    private static IEnumerable<string[]> Chunkings(string text)
    {
        yield return [text];
        foreach (int size in new[] { 1, 2, 3, 5, 7 })
            yield return Enumerable.Range(0, (text.Length + size - 1) / size).Select(i => text.Substring(i * size, Math.Min(size, text.Length - i * size))).ToArray();
        var random = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            var pieces = new List<string>();
            for (int at = 0; at < text.Length;)
            {
                int take = Math.Min(text.Length - at, random.Next(1, 12));
                pieces.Add(text.Substring(at, take));
                at += take;
            }
            yield return [.. pieces];
        }
    }

    private static void AssertConsistent(Parsed parsed)
    {
        // Each call's deltas, concatenated, are its arguments; its first delta carries the id and name.
        for (int i = 0; i < parsed.Calls.Count; i++)
        {
            var mine = parsed.Deltas.Where(d => d.Index == i).ToList();
            Assert.That(mine[0].Id, Is.EqualTo(parsed.Calls[i].Id));
            Assert.That(mine[0].Name, Is.EqualTo(parsed.Calls[i].Name));
            Assert.That(mine.Skip(1).All(d => d.Id is null && d.Name is null), Is.True);
            Assert.That(string.Concat(mine.Select(d => d.ArgumentsDelta)), Is.EqualTo(parsed.Calls[i].ArgumentsJson));
            Assert.That(JsonDocument.Parse(parsed.Calls[i].ArgumentsJson).RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object));
        }
        Assert.That(parsed.Deltas.Select(d => d.Index).Distinct().Count(), Is.EqualTo(parsed.Calls.Count));
    }

    [Test]
    public void Calls_are_parsed_the_same_however_the_text_is_cut()
    {
        const string text = "Let me check.\n<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris \"centre\"\nété</arg_value>" +
            "<arg_key>days</arg_key><arg_value>3</arg_value><arg_key>zip</arg_key><arg_value>75001</arg_value></tool_call>" +
            "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Oslo</arg_value>\n</tool_call>";
        foreach (string[] chunks in Chunkings(text))
        {
            var parsed = Run(chunks);
            Assert.That(parsed.Content, Is.EqualTo("Let me check.\n"), string.Join("|", chunks));
            Assert.That(parsed.Calls.Select(c => c.Name), Is.EqualTo(new[] { "get_weather", "get_weather" }));
            Assert.That(parsed.Calls[0].ArgumentsJson, Is.EqualTo("{\"city\": \"Paris \\\"centre\\\"\\nété\", \"days\": 3, \"zip\": \"75001\"}"));
            Assert.That(parsed.Calls[1].ArgumentsJson, Is.EqualTo("{\"city\": \"Oslo\"}"));
            AssertConsistent(parsed);
        }
    }

    [Test]
    public void String_arguments_stream_before_their_value_is_complete()
    {
        var parser = new GlmToolCallParser([Weather]);
        var (_, start) = parser.Push("<tool_call>get_weather<arg_key>city</arg_key><arg_value>San Fr");
        Assert.That(string.Concat(start.Select(d => d.ArgumentsDelta)), Is.EqualTo("{\"city\": \"San Fr"));
        var (_, more) = parser.Push("ancisco</arg_");
        Assert.That(string.Concat(more.Select(d => d.ArgumentsDelta)), Is.EqualTo("ancisco"), "the possible closing tag is held back");
        var (_, end) = parser.Push("value></tool_call>");
        Assert.That(string.Concat(end.Select(d => d.ArgumentsDelta)), Is.EqualTo("\"}"));
    }

    [Test]
    public void Zero_argument_calls_have_an_empty_object()
    {
        foreach (string[] chunks in Chunkings("<tool_call>get_time</tool_call><tool_call> get_weather </tool_call>"))
        {
            var parsed = Run(chunks);
            Assert.That(parsed.Calls.Select(c => (c.Name, c.ArgumentsJson)), Is.EqualTo(new[] { ("get_time", "{}"), ("get_weather", "{}") }));
            Assert.That(parsed.Content, Is.Empty);
            AssertConsistent(parsed);
        }
    }

    [TestCase("3", "3")]
    [TestCase(" 2.5 ", "2.5")]
    [TestCase("true", "true")]
    [TestCase("True", "true")]
    [TestCase("None", "null")]
    [TestCase("[1, \"a\"]", "[1, \"a\"]")]
    [TestCase("{\"lat\": 1.5}", "{\"lat\": 1.5}")]
    [TestCase("hello world", "\"hello world\"")]
    [TestCase("", "\"\"")]
    public void Values_of_arguments_without_a_string_type_are_json_when_they_parse(string value, string json)
    {
        // "units" has no type and "other" is not in the schema; both are read the same way.
        foreach (string key in new[] { "units", "other" })
        {
            var parsed = Run([$"<tool_call>get_weather<arg_key>{key}</arg_key><arg_value>{value}</arg_value></tool_call>"]);
            Assert.That(parsed.Calls.Single().ArgumentsJson, Is.EqualTo($"{{\"{key}\": {json}}}"));
        }
    }

    [Test]
    public void A_string_typed_argument_stays_a_string_even_when_it_looks_like_json()
    {
        var parsed = Run(["<tool_call>get_weather<arg_key>city</arg_key><arg_value>123</arg_value><arg_key>zip</arg_key><arg_value>null</arg_value></tool_call>"]);
        Assert.That(parsed.Calls.Single().ArgumentsJson, Is.EqualTo("{\"city\": \"123\", \"zip\": \"null\"}"));
    }

    [Test]
    public void Unknown_tools_are_still_parsed()
    {
        var parsed = Run(["<tool_call>search<arg_key>q</arg_key><arg_value>cats</arg_value><arg_key>n</arg_key><arg_value>5</arg_value></tool_call>"], tools: []);
        Assert.That(parsed.Calls.Single(), Is.EqualTo(parsed.Calls[0] with { Name = "search", ArgumentsJson = "{\"q\": \"cats\", \"n\": 5}" }));
    }

    [Test]
    public void Text_that_only_looks_like_a_tag_is_content()
    {
        foreach (string[] chunks in Chunkings("a <tool_x> b <tool_call"))
        {
            var parsed = Run(chunks);
            Assert.That(parsed.Content, Is.EqualTo("a <tool_x> b <tool_call"), "a tag prefix held at the end comes back at Flush");
            Assert.That(parsed.Calls, Is.Empty);
        }
    }

    [Test]
    public void A_call_cut_off_by_the_token_limit_still_has_json_arguments()
    {
        var inString = Run(["<tool_call>get_weather<arg_key>city</arg_key><arg_value>Par"]);
        Assert.That(inString.Calls.Single().ArgumentsJson, Is.EqualTo("{\"city\": \"Par\"}"));
        AssertConsistent(inString);
        var inNumber = Run(["<tool_call>get_weather<arg_key>days</arg_key><arg_value>4"]);
        Assert.That(inNumber.Calls.Single().ArgumentsJson, Is.EqualTo("{\"days\": 4}"));
        var inKey = Run(["<tool_call>get_weather<arg_key>city</arg_key><arg_value>Rome</arg_value><arg_key>da"]);
        Assert.That(inKey.Calls.Single().ArgumentsJson, Is.EqualTo("{\"city\": \"Rome\"}"));
        var inName = Run(["ok<tool_call>get_wea"]);
        Assert.That(inName.Calls, Is.Empty);
        Assert.That(inName.Content, Is.EqualTo("ok<tool_call>get_wea"), "a call without a complete name is returned as text");
    }

    [Test]
    public void A_call_the_prompt_opened_starts_before_any_text()
    {
        var named = Run(["gibberish<arg_key>city</arg_key><arg_value>Lima</arg_value></tool_call>"], openCallName: "get_weather");
        Assert.That(named.Calls.Single().Name, Is.EqualTo("get_weather"));
        Assert.That(named.Calls.Single().ArgumentsJson, Is.EqualTo("{\"city\": \"Lima\"}"));
        Assert.That(named.Content, Is.Empty, "stray text inside a call is not content");
        AssertConsistent(named);

        var nothing = Run([], openCallName: "get_weather");
        Assert.That(nothing.Calls.Single().ArgumentsJson, Is.EqualTo("{}"));
        AssertConsistent(nothing);

        var required = Run(["get_time</tool_call>"], openCallName: "");
        Assert.That(required.Calls.Single().Name, Is.EqualTo("get_time"));
        var unnamed = Run(["get_ti"], openCallName: "");
        Assert.That((unnamed.Calls.Count, unnamed.Content), Is.EqualTo((0, "get_ti")), "the prompt's <tool_call> is not the model's text");
    }

    [Test]
    public void A_key_without_a_value_is_dropped_and_the_text_after_the_call_is_content()
    {
        foreach (string[] chunks in Chunkings("<tool_call>f<arg_key>a</arg_key></tool_call>Done.<tool_call>g<arg_key>x</arg_key> <arg_key>y</arg_key><arg_value>1</arg_value></tool_call>"))
        {
            var parsed = Run(chunks, tools: []);
            Assert.That(parsed.Calls.Select(c => (c.Name, c.ArgumentsJson)), Is.EqualTo(new[] { ("f", "{}"), ("g", "{\"y\": 1}") }));
            Assert.That(parsed.Content, Is.EqualTo("Done."));
            AssertConsistent(parsed);
        }
    }
}
