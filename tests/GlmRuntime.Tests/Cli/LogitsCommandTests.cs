using System.Runtime.InteropServices;
using GlmRuntime.Checkpoints;
using GlmRuntime.Cli;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Cli;

public class LogitsCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run("", args);

    private static string TinyModel => SharedData.PathOf("models", "tiny-glm5");

    internal static T[] Read<T>(SafetensorsFile file, string name) where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(file.GetBytes(file.GetInfo(name))).ToArray();

    [TestCase("option '--model' is required", "--ids", "1,2", "--out", "x.safetensors")]
    [TestCase("option '--ids' is required", "--model", "M", "--out", "x.safetensors")]
    [TestCase("option '--out' is required", "--model", "M", "--ids", "1,2")]
    [TestCase("option '--ids' expects comma-separated token ids, got 'x'", "--model", "M", "--ids", "1,x", "--out", "o")]
    [TestCase("option '--ids' expects comma-separated token ids, got '-3'", "--model", "M", "--ids", "-3", "--out", "o")]
    [TestCase("option '--ids' expects comma-separated token ids, got ''", "--model", "M", "--ids", "", "--out", "o")]
    [TestCase("unknown option '--prompt'", "--model", "M", "--prompt", "hi", "--out", "o")]
    [TestCase("unexpected argument 'extra'", "extra", "--model", "M", "--ids", "1", "--out", "o")]
    public void ArgumentErrorsNameTheOption(string message, params string[] args)
    {
        var (code, _, error) = Run(["logits", .. args]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
        Assert.That(error, Does.Contain(LogitsCommandUsage), "the usage text follows the error");
    }

    private const string LogitsCommandUsage = "glm logits --model DIR --ids";

    [Test]
    public void IdsOutsideTheVocabularyFailBeforeTheWeightsLoad()
    {
        using var dir = new TempDirectory();
        var (code, _, error) = Run("logits", "--model", TinyModel, "--ids", "3,256,4", "--out", dir.File("o.safetensors"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("option '--ids': id 256 at position 1 is outside the vocabulary [0, 256)"));
        Assert.That(File.Exists(dir.File("o.safetensors")), Is.False);
    }

    [Test]
    public void AMissingModelFailsWithOneLine()
    {
        var (code, _, error) = Run("logits", "--model", "/nonexistent/model", "--ids", "1", "--out", "o.safetensors");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("/nonexistent/model"));
    }

    /// <summary>Needs the real forward pass (GlmModel).</summary>
    [Test]
    public void MatchesTheGoldenLogitsHiddenAndMtpLogits()
    {
        using var golden = SafetensorsFile.Open(Path.Combine(TinyModel, "golden.safetensors"));
        int[] tokens = Read<int>(golden, "prompt0.tokens");
        using var dir = new TempDirectory();
        string outPath = dir.File("prompt0.safetensors");

        var (code, output, error) = Run("logits", "--model", TinyModel, "--ids", string.Join(",", tokens), "--out", outPath);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("mtp_logits"));

        using var actual = SafetensorsFile.Open(outPath);
        int t = tokens.Length, v = 256, d = 64;
        Assert.That(Read<int>(actual, "tokens"), Is.EqualTo(tokens));
        Assert.That(actual.GetInfo("logits").Shape, Is.EqualTo(new long[] { t, v }));
        Assert.That(actual.GetInfo("hidden").Shape, Is.EqualTo(new long[] { t, d }));
        Assert.That(actual.GetInfo("mtp_logits").Shape, Is.EqualTo(new long[] { t - 1, v }));
        AssertClose(Read<float>(actual, "logits"), Read<float>(golden, "prompt0.logits"), rtol: 1e-4, "logits");
        AssertClose(Read<float>(actual, "hidden"), Read<float>(golden, "prompt0.hidden"), rtol: 0, "hidden");
        // Golden slot i pairs hidden i with token i+1; its last slot (fed greedy[0]) has no counterpart here.
        AssertClose(Read<float>(actual, "mtp_logits"), Read<float>(golden, "prompt0.mtp_logits")[..((t - 1) * v)], rtol: 1e-4, "mtp_logits");
    }

    private static void AssertClose(float[] actual, float[] expected, double rtol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            double tolerance = 1e-4 + rtol * Math.Abs(expected[i]);
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                Assert.Fail($"{what}[{i}] = {actual[i]}, golden {expected[i]} (tolerance {tolerance:G3})");
        }
    }
}
