using System.Text.Json;
using GlmRuntime.Chat;

namespace GlmRuntime.Tests.Chat;

public class Glm5ChatFormatTests
{
    private static string Render(object variables) => Glm5ChatFormat.Render(JsonSerializer.SerializeToElement(variables));

    private const string ToolsPreamble =
        "<|system|>\n# Tools\n\n" +
        "You may call one or more functions to assist with the user query.\n\n" +
        "You are provided with function signatures within <tools></tools> XML tags:\n" +
        "<tools>\n";

    private const string ToolsFormat =
        "</tools>\n\n" +
        "For each function call, output the function name and arguments within the following XML format:\n" +
        "<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value>" +
        "<arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>";

    [Test]
    public void ReproducesTheSpecMultiTurnExample()
    {
        string rendered = Render(new
        {
            messages = new object[]
            {
                new { role = "system", content = "You are helpful." },
                new { role = "user", content = "Hi" },
                new { role = "assistant", content = "Hello!", reasoning_content = "greet" },
                new { role = "user", content = "2+2?" },
            },
            add_generation_prompt = true,
        });

        Assert.That(rendered, Is.EqualTo("[gMASK]<sop><|system|>You are helpful.<|user|>Hi<|assistant|></think>Hello!<|user|>2+2?<|assistant|><think>"));
    }

    [Test]
    public void DotNetOverloadMatchesTheJsonOverload()
    {
        var messages = new List<IReadOnlyDictionary<string, object?>>
        {
            new Dictionary<string, object?> { ["role"] = "system", ["content"] = "You are helpful." },
            new Dictionary<string, object?> { ["role"] = "user", ["content"] = "Hi" },
            new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "Hello!", ["reasoning_content"] = "greet" },
            new Dictionary<string, object?> { ["role"] = "user", ["content"] = "2+2?" },
        };

        Assert.That(Glm5ChatFormat.Render(messages, addGenerationPrompt: true),
            Is.EqualTo("[gMASK]<sop><|system|>You are helpful.<|user|>Hi<|assistant|></think>Hello!<|user|>2+2?<|assistant|><think>"));
    }

    [Test]
    public void ThinkingOffClosesTheThinkBlockInTheGenerationPrompt()
    {
        string rendered = Render(new
        {
            messages = new[] { new { role = "user", content = "Hi" } },
            add_generation_prompt = true,
            enable_thinking = false,
        });

        Assert.That(rendered, Is.EqualTo("[gMASK]<sop><|user|>Hi<|assistant|></think>"));
    }

    [Test]
    public void NoGenerationPromptUnlessAsked()
    {
        Assert.That(Render(new { messages = new[] { new { role = "user", content = "Hi" } } }), Is.EqualTo("[gMASK]<sop><|user|>Hi"));
    }

    [Test]
    public void ToolsPreambleDumpsEachToolOnItsOwnLine()
    {
        string rendered = Render(new
        {
            messages = new[] { new { role = "user", content = "Weather?" } },
            tools = new object[]
            {
                new { type = "function", function = new { name = "get_weather", description = "Météo", parameters = new { type = "object", required = new[] { "city" } } } },
                new { type = "function", function = new { name = "now" } },
            },
            add_generation_prompt = true,
        });

        string expected = "[gMASK]<sop>" + ToolsPreamble +
            "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Météo\", \"parameters\": {\"type\": \"object\", \"required\": [\"city\"]}}}\n" +
            "{\"type\": \"function\", \"function\": {\"name\": \"now\"}}\n" +
            ToolsFormat + "<|user|>Weather?<|assistant|><think>";
        Assert.That(rendered, Is.EqualTo(expected));
    }

    [Test]
    public void EmptyToolListEmitsNoPreamble()
    {
        Assert.That(Render(new { messages = new[] { new { role = "user", content = "x" } }, tools = Array.Empty<object>() }),
            Is.EqualTo("[gMASK]<sop><|user|>x"));
    }

    [Test]
    public void ToolCallsRenderArgumentsRawForStringsAndAsJsonOtherwise()
    {
        string rendered = Render(new
        {
            messages = new object[]
            {
                new { role = "user", content = "Go" },
                new
                {
                    role = "assistant",
                    content = "",
                    tool_calls = new object[]
                    {
                        new { type = "function", function = new { name = "search", arguments = new { query = "naïve café", limit = 3, exact = true, filters = new { lang = "fr" }, tags = new[] { "a", "b" } } } },
                        new { type = "function", function = new { name = "fetch", arguments = "{\"url\": \"https://x.test\", \"retries\": 2.5}" } },
                        new { function = new { name = "noop", arguments = "{}" } },
                    },
                },
            },
        });

        Assert.That(rendered, Is.EqualTo(
            "[gMASK]<sop><|user|>Go<|assistant|></think>" +
            "<tool_call>search<arg_key>query</arg_key><arg_value>naïve café</arg_value>" +
            "<arg_key>limit</arg_key><arg_value>3</arg_value>" +
            "<arg_key>exact</arg_key><arg_value>true</arg_value>" +
            "<arg_key>filters</arg_key><arg_value>{\"lang\": \"fr\"}</arg_value>" +
            "<arg_key>tags</arg_key><arg_value>[\"a\", \"b\"]</arg_value></tool_call>" +
            "<tool_call>fetch<arg_key>url</arg_key><arg_value>https://x.test</arg_value>" +
            "<arg_key>retries</arg_key><arg_value>2.5</arg_value></tool_call>" +
            "<tool_call>noop</tool_call>"));
    }

    [Test]
    public void ToolCallFollowsVisibleContentWithoutSeparator()
    {
        string rendered = Render(new
        {
            messages = new object[]
            {
                new { role = "user", content = "Go" },
                new { role = "assistant", content = "  Let me check.\n", tool_calls = new[] { new { function = new { name = "f", arguments = new { a = "1" } } } } },
            },
        });

        Assert.That(rendered, Is.EqualTo("[gMASK]<sop><|user|>Go<|assistant|></think>Let me check.<tool_call>f<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>"));
    }

    [Test]
    public void ConsecutiveToolMessagesShareOneObservation()
    {
        string rendered = Render(new
        {
            messages = new object[]
            {
                new { role = "user", content = "Both?" },
                new { role = "assistant", content = "", tool_calls = new[] { new { function = new { name = "a", arguments = "{}" } }, new { function = new { name = "b", arguments = "{}" } } } },
                new { role = "tool", content = "r1" },
                new { role = "tool", content = "r2" },
                new { role = "assistant", content = "Done." },
                new { role = "tool", content = "r3" },
            },
            add_generation_prompt = true,
        });

        Assert.That(rendered, Is.EqualTo(
            "[gMASK]<sop><|user|>Both?<|assistant|></think><tool_call>a</tool_call><tool_call>b</tool_call>" +
            "<|observation|><tool_response>r1</tool_response><tool_response>r2</tool_response>" +
            "<|assistant|></think>Done.<|observation|><tool_response>r3</tool_response><|assistant|><think>"));
    }

    [Test]
    public void ReasoningIsKeptOnlyAfterTheLastUserMessage()
    {
        var messages = new object[]
        {
            new { role = "user", content = "q1" },
            new { role = "assistant", content = "a1", reasoning_content = "old thoughts" },
            new { role = "user", content = "q2" },
            new { role = "assistant", content = "", reasoning_content = "  new thoughts\n", tool_calls = new[] { new { function = new { name = "f", arguments = "{}" } } } },
            new { role = "tool", content = "r" },
            new { role = "assistant", content = "<think>\nfinal thoughts\n</think>\n\nanswer" },
        };

        Assert.That(Render(new { messages }), Is.EqualTo(
            "[gMASK]<sop><|user|>q1<|assistant|></think>a1<|user|>q2" +
            "<|assistant|><think>new thoughts</think><tool_call>f</tool_call>" +
            "<|observation|><tool_response>r</tool_response>" +
            "<|assistant|><think>final thoughts</think>answer"));
    }

    [Test]
    public void InlineReasoningBeforeTheLastUserIsDroppedAndContentKept()
    {
        var messages = new object[]
        {
            new { role = "user", content = "q1" },
            new { role = "assistant", content = "<think>hidden</think>visible" },
            new { role = "user", content = "q2" },
        };

        Assert.That(Render(new { messages }), Is.EqualTo("[gMASK]<sop><|user|>q1<|assistant|></think>visible<|user|>q2"));
    }

    [Test]
    public void ClearThinkingFalseKeepsEveryTurnsReasoning()
    {
        var messages = new object[]
        {
            new { role = "user", content = "q1" },
            new { role = "assistant", content = "a1", reasoning_content = "r1" },
            new { role = "user", content = "q2" },
        };

        Assert.That(Render(new { messages, clear_thinking = false }),
            Is.EqualTo("[gMASK]<sop><|user|>q1<|assistant|><think>r1</think>a1<|user|>q2"));
    }

    [Test]
    public void ListContentIsReducedToItsTextParts()
    {
        var content = new object[] { new { type = "text", text = "Look " }, new { type = "image_url", image_url = new { url = "x" } }, new { type = "text", text = "here" } };
        Assert.That(Render(new { messages = new[] { new { role = "user", content } } }), Is.EqualTo("[gMASK]<sop><|user|>Look here"));
    }

    [Test]
    public void NullContentPrintsNoneLikeTheShippedTemplate()
    {
        Assert.That(Render(new { messages = new object[] { new { role = "user", content = (string?)null } } }), Is.EqualTo("[gMASK]<sop><|user|>None"));
    }

    [Test]
    public void MessagesMustBeAnArrayOfMessagesWithRoles()
    {
        Assert.Throws<ArgumentException>(() => Render(new { tools = Array.Empty<object>() }));
        Assert.Throws<ArgumentException>(() => Render(new { messages = new[] { new { content = "x" } } }));
    }
}
