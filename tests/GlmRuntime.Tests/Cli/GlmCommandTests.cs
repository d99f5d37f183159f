using System.Text.Json;
using GlmRuntime.Cli;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Cli;

public class GlmCommandTests
{
    private static (int Code, string Out, string Err) Run(string stdin, params string[] args) => CliRunner.Run(stdin, args);

    private static JsonElement InspectJson(string model)
    {
        var (code, output, error) = Run("", "inspect", SharedData.PathOf("models", model), "--json");
        Assert.That(code, Is.EqualTo(0), error);
        return JsonDocument.Parse(output).RootElement;
    }

    [TestCase("tiny-glm5", 153, 0, 0)]
    [TestCase("tiny-glm5-sharded", 153, 0, 0)]
    [TestCase("tiny-glm5-dense-topk", 153, 0, 0)]
    [TestCase("tiny-glm5-mxfp4", 153 + 78, 78, 0)]
    [TestCase("tiny-glm5-mxfp4-decoder-prefix", 153 + 78, 78, 0)]
    [TestCase("tiny-glm5-fp8", 86 + 54, 0, 54)]
    public void InspectReportsFormatsDecidedFromTheTensors(string model, int tensors, int mxfp4, int fp8)
    {
        JsonElement report = InspectJson(model);
        Assert.That(report.GetProperty("tensor_count").GetInt32(), Is.EqualTo(tensors));
        JsonElement counts = report.GetProperty("format_counts");
        int Count(string name) => counts.TryGetProperty(name, out var v) ? v.GetInt32() : 0;
        Assert.That(Count("Mxfp4"), Is.EqualTo(mxfp4));
        Assert.That(Count("Fp8Block"), Is.EqualTo(fp8));
        Assert.That(report.GetProperty("warnings").GetArrayLength(), Is.EqualTo(0));
    }

    [Test]
    public void InspectCountsParameters()
    {
        JsonElement p = InspectJson("tiny-glm5").GetProperty("parameters");
        Assert.That(p.GetProperty("total").GetInt64(), Is.EqualTo(298_584));
        Assert.That(p.GetProperty("mtp").GetInt64(), Is.EqualTo(80_536));
        Assert.That(InspectJson("tiny-glm5-fp8").GetProperty("parameters").GetProperty("total").GetInt64(), Is.EqualTo(3_097_032));
    }

    [Test]
    public void InspectFlagsTheDecoderPrefixDisagreement()
    {
        JsonElement report = InspectJson("tiny-glm5-mxfp4-decoder-prefix");
        var disagreements = report.GetProperty("disagreements").EnumerateArray().ToList();
        Assert.That(disagreements, Has.Count.EqualTo(37));
        var eh = disagreements.Single(d => d.GetProperty("module").GetString() == "model.layers.3.eh_proj");
        Assert.That(eh.GetProperty("checkpoint_has").GetString(), Is.EqualTo("BF16 [64, 128]"));
        Assert.That(eh.GetProperty("config_expects").GetString(), Does.StartWith("MXFP4"));
        Assert.That(InspectJson("tiny-glm5-mxfp4").GetProperty("disagreements").GetArrayLength(), Is.EqualTo(0));
    }

    [Test]
    public void InspectTextGroupsFormats()
    {
        var (code, output, _) = Run("", "inspect", SharedData.PathOf("models", "tiny-glm5-mxfp4-decoder-prefix"));
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("Mxfp4").And.Contain("model.layers.*.mlp.experts.*.up_proj").And.Contain("model.layers.3.eh_proj"));
        Assert.That(output, Does.Contain("disagreements (37"));
        Assert.That(output, Does.Contain("298,584"));
    }

    [Test]
    public void InspectOfAMissingFolderFailsWithOneLine()
    {
        var (code, _, error) = Run("", "inspect", "/nonexistent/model");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("/nonexistent/model"));
    }

    [Test]
    public void UnknownCommandOrOptionIsAUsageError()
    {
        Assert.That(Run("", "frobnicate").Code, Is.EqualTo(2));
        Assert.That(Run("", "inspect", "x", "--jsn").Err, Does.Contain("--jsn"));
    }

    [Test]
    public void TokenizeEncodesAndDecodesJsonLines()
    {
        string tokenizer = SharedData.PathOf("tokenizers", "glm-style");
        var (code, output, error) = Run("{\"text\":\"Hello world\"}\n{\"text\":\"\"}\n", "tokenize", "--tokenizer", tokenizer);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "{\"ids\":[19923,2058]}", "{\"ids\":[]}" }));
        (code, output, error) = Run("{\"ids\":[19923,2058]}\n", "tokenize", "--tokenizer", tokenizer, "--decode");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output.Trim(), Is.EqualTo("{\"text\":\"Hello world\"}"));
    }

    [Test]
    public void TokenizeMatchesTheGoldenFileLineForLine()
    {
        string golden = SharedData.PathOf("tokenizers", "deepseek-v3", "golden.jsonl");
        var lines = File.ReadAllLines(golden).Where(l => l.Length > 0).ToList();
        string input = string.Join("\n", lines.Select(l => JsonSerializer.Serialize(new { text = JsonDocument.Parse(l).RootElement.GetProperty("text").GetString() })));
        var (code, output, error) = Run(input, "tokenize", "--tokenizer", SharedData.PathOf("tokenizers", "deepseek-v3", "tokenizer.json"));
        Assert.That(code, Is.EqualTo(0), error);
        var outLines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(outLines, Has.Length.EqualTo(lines.Count));
        for (int i = 0; i < lines.Count; i++)
        {
            var expected = JsonDocument.Parse(lines[i]).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32());
            var actual = JsonDocument.Parse(outLines[i]).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32());
            Assert.That(actual, Is.EqualTo(expected), $"golden line {i + 1}");
        }
    }

    [Test]
    public void TokenizeRejectsABadLineNamingIt()
    {
        var (code, _, error) = Run("{\"text\":\"a\"}\nnot json\n", "tokenize", "--tokenizer", SharedData.PathOf("tokenizers", "glm-style"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("line 2"));
    }

    [Test]
    public void TemplateRendersTheCheckpointTemplate()
    {
        string golden = File.ReadLines(SharedData.PathOf("tokenizers", "deepseek-v3", "chat_template_golden.jsonl")).First();
        var expected = JsonDocument.Parse(golden).RootElement.GetProperty("rendered").GetString();
        var (code, output, error) = Run(golden + "\n", "template", "--tokenizer", SharedData.PathOf("tokenizers", "deepseek-v3"));
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(JsonDocument.Parse(output).RootElement.GetProperty("rendered").GetString(), Is.EqualTo(expected));
    }

    [Test]
    public void TemplateFallsBackToTheBuiltInGlm5Format()
    {
        // The glm-style folder ships no chat_template.
        const string line = """{"messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!","reasoning_content":"greet"},{"role":"user","content":"2+2?"}],"add_generation_prompt":true}""";
        var (code, output, error) = Run(line + "\n", "template", "--tokenizer", SharedData.PathOf("tokenizers", "glm-style"));
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(JsonDocument.Parse(output).RootElement.GetProperty("rendered").GetString(),
            Is.EqualTo("[gMASK]<sop><|system|>You are helpful.<|user|>Hi<|assistant|></think>Hello!<|user|>2+2?<|assistant|><think>"));
    }
}
