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
}
