using GlmRuntime.Cli.Commands;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Cli;

public class RequestFileTests
{
    private static List<RequestLine> Read(string content, out string path)
    {
        using var dir = new TempDirectory();
        path = dir.File("requests.jsonl");
        File.WriteAllText(path, content);
        return RequestFile.Read(path);
    }

    private static string ErrorOf(string content)
    {
        using var dir = new TempDirectory();
        string path = dir.File("requests.jsonl");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => RequestFile.Read(path))!;
        Assert.That(e.Message, Does.StartWith(path + " line "), "every message names the file and the line");
        return e.Message[(path.Length + 1)..];
    }

    [Test]
    public void ReadsEveryFieldAndSkipsBlankLines()
    {
        var lines = Read("""
            {"id": "a", "ids": [1, 2, 3], "max_tokens": 4, "temperature": 0.5, "seed": 9, "top_p": 0.9, "top_k": 5, "min_p": 0.1, "stop": "x", "ignore_eos": true}

            {"id": 7, "prompt": "Hello", "stop": ["a", "bc"], "seed": null}
            """, out _);
        Assert.That(lines, Has.Count.EqualTo(2));
        RequestLine a = lines[0], b = lines[1];
        Assert.That(a.Id.GetString(), Is.EqualTo("a"));
        Assert.That(a.Ids, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(a.Prompt, Is.Null);
        Assert.That((a.MaxTokens, a.Temperature, a.Seed, a.TopP, a.TopK, a.MinP, a.IgnoreEos), Is.EqualTo((4, 0.5, 9L, 0.9, 5, 0.1, true)));
        Assert.That(a.Stop, Is.EqualTo(new[] { "x" }));
        Assert.That(b.Id.GetInt32(), Is.EqualTo(7));
        Assert.That(b.LineNumber, Is.EqualTo(3), "blank lines are skipped but counted");
        Assert.That(b.Prompt, Is.EqualTo("Hello"));
        Assert.That(b.Stop, Is.EqualTo(new[] { "a", "bc" }));
        Assert.That(b.Seed, Is.Null, "null counts as absent");
    }

    [Test]
    public void LineFieldsOverrideTheDefaultsAndMissingOnesKeepThem()
    {
        var defaults = new SamplingParams { Temperature = 0.7, MaxTokens = 11, Seed = 3, IgnoreEos = true, Stop = ["z"] };
        RequestLine line = Read("""{"id": 1, "ids": [5], "temperature": 0, "ignore_eos": false}""", out _)[0];
        SamplingParams s = line.ApplyTo(defaults);
        Assert.That((s.Temperature, s.MaxTokens, s.Seed, s.IgnoreEos), Is.EqualTo((0.0, 11, 3L, false)));
        Assert.That(s.Stop, Is.EqualTo(new[] { "z" }));
    }

    [Test]
    public void InvalidJsonNamesTheFileAndLine()
    {
        string message = ErrorOf("{\"id\": 1, \"ids\": [1]}\n\n{\"id\": 2, \"ids\": [1\n");
        Assert.That(message, Does.StartWith("line 3: not valid JSON"));
    }

    [TestCase("""{"id": 1, "ids": [1], "temprature": 0}""", "line 1: unknown field 'temprature'")]
    [TestCase("""{"ids": [1]}""", "line 1: field 'id' is required")]
    [TestCase("""{"id": [1], "ids": [1]}""", "line 1: field 'id' must be a string or a number, got [1]")]
    [TestCase("""{"id": 1}""", "line 1: give exactly one of the fields 'prompt' and 'ids'")]
    [TestCase("""{"id": 1, "ids": [1], "prompt": "hi"}""", "line 1: give exactly one of the fields 'prompt' and 'ids'")]
    [TestCase("""{"id": 1, "ids": []}""", "line 1: field 'ids' must be a non-empty array of token ids (integers ≥ 0), got []")]
    [TestCase("""{"id": 1, "ids": [1, -2]}""", "line 1: field 'ids' must be a non-empty array of token ids (integers ≥ 0), got -2 at position 1")]
    [TestCase("""{"id": 1, "ids": [1], "max_tokens": 0}""", "line 1: field 'max_tokens' must be an integer ≥ 1, got 0")]
    [TestCase("""{"id": 1, "ids": [1], "max_tokens": "3"}""", "line 1: field 'max_tokens' must be an integer ≥ 1, got \"3\"")]
    [TestCase("""{"id": 1, "ids": [1], "temperature": -1}""", "line 1: field 'temperature' must be a number ≥ 0, got -1")]
    [TestCase("""{"id": 1, "ids": [1], "top_p": 0}""", "line 1: field 'top_p' must be a number in (0, 1], got 0")]
    [TestCase("""{"id": 1, "ids": [1], "top_k": 1.5}""", "line 1: field 'top_k' must be an integer, got 1.5")]
    [TestCase("""{"id": 1, "ids": [1], "seed": 1.5}""", "line 1: field 'seed' must be a 64-bit integer, got 1.5")]
    [TestCase("""{"id": 1, "ids": [1], "seed": "3"}""", "line 1: field 'seed' must be a 64-bit integer, got \"3\"")]
    [TestCase("""{"id": 1, "ids": [1], "stop": ""}""", "line 1: field 'stop' must be a non-empty string or a list of them, got \"\"")]
    [TestCase("""{"id": 1, "ids": [1], "stop": ["a", 1]}""", "line 1: field 'stop' must be a non-empty string or a list of them")]
    [TestCase("""{"id": 1, "ids": [1], "ignore_eos": 1}""", "line 1: field 'ignore_eos' must be true or false, got 1")]
    [TestCase("""{"id": 1, "ids": [1], "seed": 1, "seed": 2}""", "line 1: field 'seed' appears more than once")]
    [TestCase("""[1, 2]""", "line 1: expected a JSON object")]
    public void MalformedLinesNameTheLineAndField(string line, string message)
    {
        Assert.That(ErrorOf(line), Does.StartWith(message));
    }

    [Test]
    public void AMissingFileFailsNamingIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => RequestFile.Read("/nonexistent/requests.jsonl"))!;
        Assert.That(e.Message, Does.Contain("/nonexistent/requests.jsonl"));
    }
}
