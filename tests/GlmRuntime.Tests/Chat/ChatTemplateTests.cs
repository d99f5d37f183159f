using System.Text.Json;
using System.Text.Json.Nodes;
using GlmRuntime.Chat;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Chat;

public class ChatTemplateTests
{
    private static readonly Lazy<ChatTemplate> DeepSeekTemplate = new(() =>
    {
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(SharedData.PathOf("tokenizers", "deepseek-v3", "tokenizer_config.json")));
        return ChatTemplate.Parse(config.RootElement.GetProperty("chat_template").GetString()!, "deepseek-v3");
    });

    public static IEnumerable<TestCaseData> GoldenCases()
    {
        string path = SharedData.PathOf("tokenizers", "deepseek-v3", "chat_template_golden.jsonl");
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length > 0)
                yield return new TestCaseData(lineNumber, line).SetName($"Golden line {lineNumber:00}");
        }
    }

    [TestCaseSource(nameof(GoldenCases))]
    public void RendersLikeHuggingFaceJinja(int lineNumber, string line)
    {
        using JsonDocument golden = JsonDocument.Parse(line);
        JsonElement root = golden.RootElement;
        var variables = new JsonObject();
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (property.Name is not ("rendered" or "error"))
                variables[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }
        using JsonDocument input = JsonDocument.Parse(variables.ToJsonString());

        string? expectedError = root.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null;
        if (expectedError is not null)
        {
            var ex = Assert.Throws<ChatTemplateException>(() => DeepSeekTemplate.Value.Render(input.RootElement));
            Assert.That(ex!.Reason, Does.Contain(expectedError), $"golden line {lineNumber}");
            return;
        }
        Assert.That(DeepSeekTemplate.Value.Render(input.RootElement), Is.EqualTo(root.GetProperty("rendered").GetString()), $"golden line {lineNumber}");
    }

    [Test]
    public void RendersDotNetVariables()
    {
        var template = ChatTemplate.Parse("{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}{{ n + 1 }}");
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = new List<Dictionary<string, object?>>
            {
                new() { ["role"] = "user", ["content"] = "hi" },
                new() { ["role"] = "assistant", ["content"] = JsonNode.Parse("\"yo\"") },
            },
            ["add_generation_prompt"] = true,
            ["n"] = 41,
        };
        Assert.That(template.Render(variables), Is.EqualTo("<user>hi<assistant>yo<assistant>42"));
    }

    [Test]
    public void CallerVariablesShadowGlobals() =>
        Assert.That(ChatTemplate.Parse("{{ range }}").Render(new Dictionary<string, object?> { ["range"] = "mine" }), Is.EqualTo("mine"));

    [Test]
    public void JsonOverloadNeedsAnObject()
    {
        using JsonDocument doc = JsonDocument.Parse("[1]");
        Assert.Throws<ArgumentException>(() => ChatTemplate.Parse("x").Render(doc.RootElement));
    }

    [Test]
    public void ParsedTemplatesRenderConcurrently()
    {
        var template = ChatTemplate.Parse("{% set ns = namespace(n=0) %}{% for i in range(n) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}");
        Parallel.For(0, 64, i =>
        {
            string rendered = template.Render(new Dictionary<string, object?> { ["n"] = i });
            Assert.That(rendered, Is.EqualTo((i * (i - 1) / 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public void RealWorldTemplateFeatures()
    {
        // Shapes used by Llama-3/Qwen/Mistral templates: namespace flags, slicing off the system message,
        // role alternation checks, tojson of tools and strftime_now defaults.
        const string source = """
            {%- if messages[0]['role'] == 'system' %}
                {%- set system_message = messages[0]['content'] | trim %}
                {%- set loop_messages = messages[1:] %}
            {%- else %}
                {%- set system_message = "" %}
                {%- set loop_messages = messages %}
            {%- endif %}
            {%- if tools is not none %}
            {{- "Tools: " }}
                {%- for t in tools %}
            {{- t | tojson }}
                {%- endfor %}
            {%- endif %}
            <<SYS>>{{ system_message }}<</SYS>>
            {% for message in loop_messages %}
                {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
                    {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
                {%- endif %}
                {%- if message['role'] == 'user' %}
            [INST] {{ message['content'] | trim }} [/INST]
                {%- else %}
             {{ message['content'] | trim }}</s>
                {%- endif %}
            {%- endfor %}
            """;
        var template = ChatTemplate.Parse(source);
        using JsonDocument ok = JsonDocument.Parse("""
            {"messages": [{"role": "system", "content": " Be brief. "}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello "}],
             "tools": [{"name": "f", "parameters": {"x": 1}}]}
            """);
        Assert.That(template.Render(ok.RootElement), Is.EqualTo("Tools: {\"name\": \"f\", \"parameters\": {\"x\": 1}}<<SYS>>Be brief.<</SYS>>\n[INST] Hi [/INST] Hello</s>"));

        using JsonDocument bad = JsonDocument.Parse("""{"messages": [{"role": "assistant", "content": "x"}], "tools": null}""");
        var ex = Assert.Throws<ChatTemplateException>(() => template.Render(bad.RootElement))!;
        Assert.That(ex.IsRaisedByTemplate, Is.True);
        Assert.That(ex.Reason, Is.EqualTo("Conversation roles must alternate user/assistant/user/assistant/..."));
    }
}
