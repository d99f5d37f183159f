using System.Text.Json;
using GlmRuntime.Checkpoints;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Cli;

/// <summary><c>glm generate --requests</c> end to end on the real engine (tiny-glm5 with ids, the demo model with prompts).</summary>
public class RequestsRunnerTests
{
    private TempDirectory _dir = null!;
    private string _demo = "";

    private static string TinyModel => SharedData.PathOf("models", "tiny-glm5");

    [OneTimeSetUp]
    public void CreateDemoModel()
    {
        _dir = new TempDirectory();
        _demo = DemoModel.EnsureCreated(_dir.File("demo"));
    }

    [OneTimeTearDown]
    public void RemoveDemoModel() => _dir.Dispose();

    /// <summary>Runs <c>glm generate --requests</c> over <paramref name="lines"/>; returns the exit code and the parsed output lines.</summary>
    private (int Code, List<JsonElement> Lines, string Error) RunRequests(string model, IEnumerable<string> lines, params string[] options)
    {
        string path = _dir.File($"requests-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines);
        var (code, output, error) = CliRunner.Run("", ["generate", "--model", model, "--requests", path, .. options]);
        var parsed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        return (code, parsed, error);
    }

    private static JsonElement Solo(params string[] args)
    {
        var (code, output, error) = CliRunner.Run("", ["generate", .. args, "--json"]);
        Assert.That(code, Is.EqualTo(0), error);
        return JsonDocument.Parse(output).RootElement;
    }

    /// <summary>What must not depend on batching or scheduling: everything but the cache hits and the latency.</summary>
    private static string Essence(JsonElement line) =>
        JsonSerializer.Serialize(new
        {
            ids = line.GetProperty("output_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            text = line.GetProperty("text").GetString(),
            finish = line.GetProperty("finish_reason").GetString(),
            prompt = line.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(),
            completion = line.GetProperty("usage").GetProperty("completion_tokens").GetInt32(),
        });

    /// <summary>Distinct prompts of a few lengths; the last two share 128 tokens (two full pages) so a later one can hit the prefix cache.</summary>
    private static int[][] TinyPrompts()
    {
        int[] Ids(int length, int salt) => Enumerable.Range(0, length).Select(i => 2 + (i * 37 + salt * 11) % 254).ToArray();
        int[] shared = Ids(140, 5);
        return [Ids(5, 1), Ids(12, 2), Ids(33, 3), shared, [.. shared[..128], .. Ids(9, 4)]];
    }

    private static string IdsLine(object id, int[] ids, string extra = "") =>
        $$"""{"id": {{JsonSerializer.Serialize(id)}}, "ids": [{{string.Join(", ", ids)}}]{{extra}}}""";

    [Test]
    public void EachLineMatchesASoloRunOfTheSameRequest()
    {
        int[][] prompts = TinyPrompts();
        // The first line takes --max-tokens from the command line; the others set their own.
        string[] lines = prompts.Select((p, i) => IdsLine(i, p, i == 0 ? "" : $", \"max_tokens\": {3 + i}")).ToArray();
        var (code, output, error) = RunRequests(TinyModel, lines, "--temperature", "0", "--ignore-eos", "--max-tokens", "6");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Has.Count.EqualTo(prompts.Length));
        for (int i = 0; i < prompts.Length; i++)
        {
            JsonElement solo = Solo("--model", TinyModel, "--ids", string.Join(",", prompts[i]), "--temperature", "0", "--ignore-eos",
                "--max-tokens", i == 0 ? "6" : $"{3 + i}");
            Assert.That(Essence(output[i]), Is.EqualTo(Essence(solo)), $"line {i}");
            Assert.That(output[i].GetProperty("id").GetInt32(), Is.EqualTo(i));
            JsonElement usage = output[i].GetProperty("usage");
            Assert.That(usage.GetProperty("completion_tokens").GetInt32(), Is.EqualTo(i == 0 ? 6 : 3 + i), "--ignore-eos runs to max_tokens");
            Assert.That(usage.GetProperty("cached_tokens").GetInt32(), Is.InRange(0, prompts[i].Length));
            Assert.That(usage.GetProperty("time_to_first_token_ms").GetDouble(), Is.GreaterThan(0));
        }
    }

    [TestCase("--temperature", "0")]
    [TestCase("--temperature", "1", "--seed", "11")]
    public void ConcurrencyDoesNotChangeTheOutputs(params string[] sampling)
    {
        int[][] prompts = TinyPrompts();
        // Seeded lines: each its own seed (the command line's --seed is only the default of lines without one).
        string[] lines = prompts.Select((p, i) => IdsLine($"r{i}", p, i % 2 == 0 ? "" : $", \"seed\": {100 + i}")).ToArray();
        string[] common = ["--max-tokens", "8", .. sampling];
        var together = RunRequests(TinyModel, lines, common);
        var one = RunRequests(TinyModel, lines, [.. common, "--concurrency", "1"]);
        var two = RunRequests(TinyModel, lines, [.. common, "--concurrency", "2"]);
        Assert.That((together.Code, one.Code, two.Code), Is.EqualTo((0, 0, 0)), together.Error + one.Error + two.Error);
        Assert.That(one.Lines.Select(Essence), Is.EqualTo(together.Lines.Select(Essence)), "one at a time vs all at once");
        Assert.That(two.Lines.Select(Essence), Is.EqualTo(together.Lines.Select(Essence)), "a window of two vs all at once");
        Assert.That(one.Lines[^1].GetProperty("usage").GetProperty("cached_tokens").GetInt32(), Is.EqualTo(128),
            "run after the line sharing its first two pages, the last line finds them in the prefix cache");
    }

    [TestCase(null)]
    [TestCase("1")]
    [TestCase("2")]
    public void LinesArePrintedInInputOrder(string? concurrency)
    {
        int[][] prompts = TinyPrompts();
        object[] ids = ["first", 7, "x-1", 2.5, "last"];
        // The first request is the longest, so it finishes last whenever it shares the engine with the others.
        string[] lines = ids.Select((id, i) => IdsLine(id, prompts[i], $", \"max_tokens\": {(i == 0 ? 24 : 1)}")).ToArray();
        var (code, output, error) = RunRequests(TinyModel, lines, concurrency is null ? ["--ignore-eos"] : ["--ignore-eos", "--concurrency", concurrency]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output.Select(o => o.GetProperty("id").GetRawText()), Is.EqualTo(ids.Select(id => JsonSerializer.Serialize(id))));
        Assert.That(output[0].GetProperty("output_ids").GetArrayLength(), Is.EqualTo(24));
    }

    [TestCase(null)]
    [TestCase("1")]
    public void AFailingRequestPrintsAnErrorAndTheOthersContinue(string? concurrency)
    {
        int[][] prompts = TinyPrompts();
        string[] lines =
        [
            IdsLine("ok-1", prompts[0]),
            IdsLine("too-long", Enumerable.Repeat(3, 512).ToArray()), // tiny-glm5's context is 512 tokens
            IdsLine("vocab", [5, 300]),
            """{"id": "text", "prompt": "Hello"}""",
            IdsLine("ok-2", prompts[1]),
        ];
        string[] options = ["--max-tokens", "3", "--temperature", "0"];
        var (code, output, error) = RunRequests(TinyModel, lines, concurrency is null ? options : [.. options, "--concurrency", concurrency]);
        Assert.That(code, Is.EqualTo(1), "a failed request fails the run");
        Assert.That(error, Is.Empty, "per-request errors go to stdout");
        Assert.That(output.Select(o => o.GetProperty("id").GetString()), Is.EqualTo(new[] { "ok-1", "too-long", "vocab", "text", "ok-2" }));
        string ErrorOf(int i) => output[i].GetProperty("error").GetString()!;
        Assert.That(ErrorOf(1), Is.EqualTo("the prompt has 512 tokens; the context limit is 512"));
        Assert.That(ErrorOf(2), Is.EqualTo("id 300 at position 1 is outside the vocabulary [0, 256)"));
        Assert.That(ErrorOf(3), Does.Contain("needs a tokenizer").And.Contain("tokenizer.json"));
        foreach (int i in new[] { 0, 4 })
        {
            Assert.That(output[i].TryGetProperty("error", out _), Is.False);
            Assert.That(output[i].GetProperty("output_ids").GetArrayLength(), Is.InRange(1, 3));
        }
    }

    [Test]
    public void PromptLinesMatchSoloRunsOnTheDemoModel()
    {
        string[] lines =
        [
            """{"id": "greedy", "prompt": "Hello there", "temperature": 0, "max_tokens": 6}""",
            """{"id": "seeded", "prompt": "The cat sat on", "temperature": 0.8, "seed": 42, "max_tokens": 5}""",
            """{"id": "top", "prompt": "Once upon a time", "temperature": 1, "top_p": 0.9, "top_k": 20, "seed": 7}""",
        ];
        var (code, output, error) = RunRequests(_demo, lines, "--max-tokens", "4");
        Assert.That(code, Is.EqualTo(0), error);
        string[][] solo =
        [
            ["--prompt", "Hello there", "--temperature", "0", "--max-tokens", "6"],
            ["--prompt", "The cat sat on", "--temperature", "0.8", "--seed", "42", "--max-tokens", "5"],
            ["--prompt", "Once upon a time", "--temperature", "1", "--top-p", "0.9", "--top-k", "20", "--seed", "7", "--max-tokens", "4"],
        ];
        for (int i = 0; i < solo.Length; i++)
            Assert.That(Essence(output[i]), Is.EqualTo(Essence(Solo(["--model", _demo, .. solo[i]]))), $"line {i}");
    }

    [Test]
    public void AStopStringEndsTheText()
    {
        string line = """{"id": 1, "prompt": "Hello there", "temperature": 0, "max_tokens": 12, "ignore_eos": true}""";
        var (code, output, error) = RunRequests(_demo, [line]);
        Assert.That(code, Is.EqualTo(0), error);
        string text = output[0].GetProperty("text").GetString()!;
        Assume.That(text.Length, Is.GreaterThanOrEqualTo(4), "the demo model's greedy text is long enough to cut");
        string stop = text.Substring(text.Length / 2, 2);
        string withStop = line.Replace("}", $", \"stop\": [\"never-produced\", {JsonSerializer.Serialize(stop)}]}}");
        var stopped = RunRequests(_demo, [withStop]);
        Assert.That(stopped.Code, Is.EqualTo(0), stopped.Error);
        Assert.That(stopped.Lines[0].GetProperty("text").GetString(), Is.EqualTo(text[..text.IndexOf(stop, StringComparison.Ordinal)]));
        Assert.That(stopped.Lines[0].GetProperty("finish_reason").GetString(), Is.EqualTo("stop"));
    }

    [Test]
    public void AnEmptyPromptFailsItsLineOnly()
    {
        var (code, output, _) = RunRequests(_demo, ["""{"id": 1, "prompt": ""}""", """{"id": 2, "prompt": "Hi", "max_tokens": 2}"""]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output[0].GetProperty("error").GetString(), Is.EqualTo("the prompt has no tokens"));
        Assert.That(output[1].GetProperty("output_ids").GetArrayLength(), Is.InRange(1, 2));
    }

    [Test]
    public void AnEmptyFilePrintsNothing()
    {
        var (code, output, error) = RunRequests(TinyModel, ["", "  "]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Is.Empty);
    }

    [TestCase("give exactly one of '--prompt', '--ids' and '--requests'", "--ids", "1")]
    [TestCase("give exactly one of '--prompt', '--ids' and '--requests'", "--prompt", "hi")]
    [TestCase("option '--concurrency' must be at least 1, got 0", "--concurrency", "0")]
    [TestCase("option '--concurrency' expects an integer, got 'all'", "--concurrency", "all")]
    public void RequestsOptionErrorsAreUsageErrors(string message, params string[] args)
    {
        var (code, output, error) = CliRunner.Run("", ["generate", "--model", "M", "--requests", "r.jsonl", .. args]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message).And.Contain("--requests FILE.jsonl"));
        Assert.That(output, Is.Empty);
    }

    [Test]
    public void ConcurrencyNeedsRequests()
    {
        var (code, _, error) = CliRunner.Run("", "generate", "--model", "M", "--ids", "1", "--concurrency", "2");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("option '--concurrency' applies only with '--requests'"));
    }

    [Test]
    public void AMalformedFileFailsBeforeTheModelLoads()
    {
        var (code, output, error) = RunRequests("/nonexistent/model", ["""{"id": 1, "ids": [1]}""", """{"id": 2, "idz": [1]}"""]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("line 2: unknown field 'idz'").And.Not.Contain("/nonexistent/model"));
        Assert.That(output, Is.Empty);
    }
}
