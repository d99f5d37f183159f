using System.Text.Json;
using GlmRuntime.Checkpoints;
using GlmRuntime.Cli;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Cli;

public class GenerateCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run("", args);

    private static string TinyModel => SharedData.PathOf("models", "tiny-glm5");

    [TestCase("option '--model' is required", "--ids", "1,2")]
    [TestCase("give exactly one of '--prompt', '--ids' and '--requests'", "--model", "M")]
    [TestCase("give exactly one of '--prompt', '--ids' and '--requests'", "--model", "M", "--ids", "1", "--prompt", "hi")]
    [TestCase("option '--max-tokens' expects an integer, got 'many'", "--model", "M", "--ids", "1", "--max-tokens", "many")]
    [TestCase("option '--max-tokens' must be at least 1, got 0", "--model", "M", "--ids", "1", "--max-tokens", "0")]
    [TestCase("option '--temperature' expects a number, got 'hot'", "--model", "M", "--ids", "1", "--temperature", "hot")]
    [TestCase("option '--temperature' expects a number, got 'NaN'", "--model", "M", "--ids", "1", "--temperature", "NaN")]
    [TestCase("option '--temperature' must be ≥ 0, got -0.5", "--model", "M", "--ids", "1", "--temperature", "-0.5")]
    [TestCase("option '--top-p' must be in (0, 1], got 1.5", "--model", "M", "--ids", "1", "--top-p", "1.5")]
    [TestCase("option '--top-p' must be in (0, 1], got 0", "--model", "M", "--ids", "1", "--top-p", "0")]
    [TestCase("option '--top-k' expects an integer, got '2.5'", "--model", "M", "--ids", "1", "--top-k", "2.5")]
    [TestCase("option '--seed' expects an integer, got 'x'", "--model", "M", "--ids", "1", "--seed", "x")]
    [TestCase("option '--ids' expects comma-separated token ids, got '1 2'", "--model", "M", "--ids", "1 2")]
    [TestCase("option '--seed' needs a value", "--model", "M", "--ids", "1", "--seed")]
    [TestCase("option '--speculative': '3/2/4': Speculative TopK must be 1", "--model", "M", "--ids", "1", "--speculative", "3/2/4")]
    [TestCase("option '--speculative': 'fast' is not a speculative triple", "--model", "M", "--ids", "1", "--speculative", "fast")]
    public void ArgumentErrorsNameTheOption(string message, params string[] args)
    {
        var (code, output, error) = Run(["generate", .. args]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
        Assert.That(error, Does.Contain("glm generate --model DIR"), "the usage text follows the error");
        Assert.That(output, Is.Empty);
    }

    [Test]
    public void IdsOutsideTheVocabularyFailBeforeTheModelLoads()
    {
        var (code, _, error) = Run("generate", "--model", TinyModel, "--ids", "5,300");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("option '--ids': id 300 at position 1 is outside the vocabulary [0, 256)"));
    }

    [Test]
    public void APromptNeedsATokenizer()
    {
        var (code, _, error) = Run("generate", "--model", TinyModel, "--prompt", "Hello");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("option '--prompt' needs a tokenizer").And.Contain("tokenizer.json").And.Contain("'--ids'"));
    }

    [Test]
    public void AMissingModelFailsWithOneLine()
    {
        var (code, _, error) = Run("generate", "--model", "/nonexistent/model", "--ids", "1");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("/nonexistent/model"));
    }

    /// <summary>Needs the real engine (GlmEngine and the forward pass).</summary>
    [Test]
    public void GreedyJsonReproducesTheGoldenContinuation()
    {
        using var golden = SafetensorsFile.Open(Path.Combine(TinyModel, "golden.safetensors"));
        int[] tokens = LogitsCommandTests.Read<int>(golden, "prompt0.tokens");
        int[] greedy = LogitsCommandTests.Read<int>(golden, "prompt0.greedy");
        // The golden continuation treats no token as eos; tiny-glm5's eos id 1 does not occur in it, and --ignore-eos makes sure.
        var (code, output, error) = Run("generate", "--model", TinyModel, "--ids", string.Join(",", tokens),
            "--temperature", "0", "--max-tokens", "12", "--ignore-eos", "--json");
        Assert.That(code, Is.EqualTo(0), error);

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "--json prints one line and nothing while streaming");
        using JsonDocument result = JsonDocument.Parse(lines[0]);
        JsonElement root = result.RootElement;
        Assert.That(root.GetProperty("output_ids").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(greedy));
        Assert.That(root.GetProperty("text").GetString(), Is.Empty, "tiny-glm5 has no tokenizer");
        Assert.That(root.GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
        JsonElement usage = root.GetProperty("usage");
        Assert.That(usage.GetProperty("prompt_tokens").GetInt32(), Is.EqualTo(tokens.Length));
        Assert.That(usage.GetProperty("completion_tokens").GetInt32(), Is.EqualTo(12));
        Assert.That(usage.GetProperty("total_tokens").GetInt32(), Is.EqualTo(tokens.Length + 12));
    }

    /// <summary>Needs the real engine: the golden greedy continuation again, now through 3/1/4 speculation.</summary>
    [TestCase("3/1/4")]
    [TestCase("5/1/6")]
    public void SpeculativeGreedyJsonReproducesTheGoldenContinuationAndReportsAcceptance(string triple)
    {
        using var golden = SafetensorsFile.Open(Path.Combine(TinyModel, "golden.safetensors"));
        int[] tokens = LogitsCommandTests.Read<int>(golden, "prompt0.tokens");
        int[] greedy = LogitsCommandTests.Read<int>(golden, "prompt0.greedy");
        var (code, output, error) = Run("generate", "--model", TinyModel, "--ids", string.Join(",", tokens),
            "--temperature", "0", "--max-tokens", "12", "--ignore-eos", "--speculative", triple, "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using JsonDocument result = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single());
        Assert.That(result.RootElement.GetProperty("output_ids").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(greedy));
        JsonElement speculative = result.RootElement.GetProperty("usage").GetProperty("speculative");
        Assert.That(speculative.GetProperty("rounds").GetInt32(), Is.InRange(3, 11));
        Assert.That(speculative.GetProperty("accept_length").GetDouble(), Is.GreaterThanOrEqualTo(1.0));
    }

    [Test]
    public void SpeculativeOnAModelWithoutMtpFailsBeforeTheModelLoads()
    {
        using var noMtp = ModelVariants.WithConfig("tiny-glm5", c => c["num_nextn_predict_layers"] = 0);
        var (code, _, error) = Run("generate", "--model", noMtp.Path, "--ids", "1,2", "--speculative", "3/1/4");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("num_nextn_predict_layers 0"));
    }

    /// <summary>Needs the real engine.</summary>
    [Test]
    public void StreamsTextOfAPromptOnTheDemoModel()
    {
        using var dir = new TempDirectory();
        string model = DemoModel.EnsureCreated(dir.File("demo"));
        var (code, output, error) = Run("generate", "--model", model, "--prompt", "Hello", "--max-tokens", "5", "--seed", "7", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using JsonDocument result = JsonDocument.Parse(output);
        JsonElement root = result.RootElement;
        int completion = root.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        Assert.That(completion, Is.InRange(1, 5));
        Assert.That(root.GetProperty("output_ids").GetArrayLength(), Is.EqualTo(completion));
        // An eos id ends it early ("stop"); five tokens are "length" unless the fifth is an eos id.
        Assert.That(root.GetProperty("finish_reason").GetString(), completion < 5 ? Is.EqualTo("stop") : Is.EqualTo("length").Or.EqualTo("stop"));
    }
}
