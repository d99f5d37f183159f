using System.Text.Json;
using GlmRuntime.Chat;
using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;
using GlmRuntime.Tests.Support;
using GlmRuntime.Tokenization;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Checkpoints;

public class DemoModelTests
{
    private TempDirectory _root = null!;
    private string _model = null!;
    private GlmTokenizer _tokenizer = null!;

    [OneTimeSetUp]
    public void CreateOnce()
    {
        _root = new TempDirectory();
        _model = DemoModel.EnsureCreated(Path.Combine(_root.Path, "demo"));
        _tokenizer = GlmTokenizer.FromFile(_model);
    }

    [OneTimeTearDown]
    public void Cleanup() => _root.Dispose();

    private static SortedDictionary<string, byte[]> Snapshot(string directory) =>
        new(Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes), StringComparer.Ordinal);

    [Test]
    public void CreatingTwiceGivesIdenticalBytes()
    {
        using var other = new TempDirectory();
        string second = DemoModel.EnsureCreated(Path.Combine(other.Path, "elsewhere"));
        var a = Snapshot(_model);
        var b = Snapshot(second);
        Assert.That(b.Keys, Is.EqualTo(a.Keys));
        Assert.That(a.Keys, Is.SupersetOf(new[] { "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md" }));
        foreach (string name in a.Keys)
            Assert.That(b[name], Is.EqualTo(a[name]), name);
    }

    [Test]
    public void AnExistingModelIsReusedAndNoStagingFolderIsLeft()
    {
        string config = Path.Combine(_model, "config.json");
        DateTime before = File.GetLastWriteTimeUtc(config);
        Assert.That(DemoModel.EnsureCreated(_model + Path.DirectorySeparatorChar), Is.EqualTo(_model));
        Assert.That(File.GetLastWriteTimeUtc(config), Is.EqualTo(before), "a complete model is not rewritten");
        Assert.That(Directory.GetDirectories(_root.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "demo" }));
    }

    [Test]
    public void AnIncompleteModelIsRebuilt()
    {
        using var dir = new TempDirectory();
        string model = DemoModel.EnsureCreated(dir.File("m"));
        File.Delete(Path.Combine(model, "tokenizer.json"));
        File.WriteAllText(Path.Combine(model, "model.safetensors"), "truncated");
        DemoModel.EnsureCreated(model);
        Assert.That(Snapshot(model)["tokenizer.json"], Is.EqualTo(Snapshot(_model)["tokenizer.json"]));
        Assert.That(Snapshot(model)["model.safetensors"], Is.EqualTo(Snapshot(_model)["model.safetensors"]));
    }

    [Test]
    public void AFolderThatIsNotADemoModelIsNeverOverwritten()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("notes.txt"), "mine");
        var ex = Assert.Throws<IOException>(() => DemoModel.EnsureCreated(dir.Path));
        Assert.That(ex!.Message, Does.Contain(dir.Path));
        Assert.That(File.ReadAllText(dir.File("notes.txt")), Is.EqualTo("mine"));
    }

    [Test]
    public void CancellationLeavesNothingBehind()
    {
        using var dir = new TempDirectory();
        Assert.Throws<OperationCanceledException>(() => DemoModel.EnsureCreated(dir.File("m"), new CancellationToken(canceled: true)));
        Assert.That(Directory.GetFileSystemEntries(dir.Path), Is.Empty);
    }

    [Test]
    public void IsMarkedAsRandomWeights()
    {
        Assert.That(DemoModel.IsDemoModel(_model), Is.True);
        Assert.That(DemoModel.IsDemoModel(SharedData.PathOf("models", "tiny-glm5")), Is.False);
        Assert.That(DemoModel.IsDemoModel(_root.Path), Is.False, "no config.json");
        Assert.That(File.ReadAllText(Path.Combine(_model, "README.md")), Does.Contain("RANDOM WEIGHTS"));
        using JsonDocument generation = JsonDocument.Parse(File.ReadAllText(Path.Combine(_model, "generation_config.json")));
        Assert.That(generation.RootElement.GetProperty(DemoModel.MarkerKey).GetString(), Is.EqualTo(DemoModel.MarkerValue));
    }

    [Test]
    public void ConfigAndWeightsLoadAndTheVocabularyCoversEveryTokenId()
    {
        GlmConfig config = GlmConfig.Load(_model);
        Assert.That(config.VocabSize, Is.EqualTo(_tokenizer.VocabSize));
        Assert.That(config.VocabSize, Is.EqualTo(1024), "256 bytes + 736 merges + 32 special tokens");
        Assert.That(Enumerable.Range(0, config.VocabSize).All(id => _tokenizer.IdToToken(id) is not null), Is.True, "no id without a token");
        using GlmWeights weights = GlmWeights.Load(_model);
        Assert.That(weights.Warnings, Is.Empty);
        Assert.That(weights.Mtp, Is.Not.Null);
    }

    [Test]
    public void EosIdsFollowTheGlm5Convention()
    {
        int[] expected = new[] { "<|endoftext|>", "<|user|>", "<|observation|>" }.Select(Id).ToArray();
        Assert.That(GlmConfig.Load(_model).EosTokenIds, Is.EqualTo(expected));
        Assert.That(GlmConfig.Load(_model).PadTokenId, Is.EqualTo(expected[0]));
        using JsonDocument generation = JsonDocument.Parse(File.ReadAllText(Path.Combine(_model, "generation_config.json")));
        Assert.That(generation.RootElement.GetProperty("eos_token_id").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(expected));
    }

    private int Id(string token)
    {
        Assert.That(_tokenizer.TryGetTokenId(token, out int id), Is.True, token);
        return id;
    }

    [TestCase("Hello, world! How are you today?")]
    [TestCase("def add(a, b): return a + b\n\n\tx = 42 * 3.14")]
    [TestCase("Grüße aus Köln — 東京 🙂 ünïcödé")]
    [TestCase("  leading and trailing spaces  ")]
    [TestCase("")]
    public void TokenizerRoundTrips(string text)
    {
        int[] ids = _tokenizer.Encode(text);
        Assert.That(ids.All(id => id >= 0 && id < _tokenizer.VocabSize), Is.True);
        Assert.That(_tokenizer.Decode(ids), Is.EqualTo(text));
    }

    [Test]
    public void CommonEnglishCompresses()
    {
        const string text = "Thank you for your help. What would you like to talk about today?";
        Assert.That(_tokenizer.Encode(text), Has.Length.LessThan(text.Length / 2));
    }

    [TestCase("<|endoftext|>")]
    [TestCase("[gMASK]")]
    [TestCase("<sop>")]
    [TestCase("<|system|>")]
    [TestCase("<|user|>")]
    [TestCase("<|assistant|>")]
    [TestCase("<|observation|>")]
    [TestCase("<think>")]
    [TestCase("</think>")]
    [TestCase("<tool_call>")]
    [TestCase("</tool_call>")]
    [TestCase("<arg_key>")]
    [TestCase("/nothink")]
    public void SpecialTokensEncodeToSingleIds(string token)
    {
        int id = Id(token);
        Assert.That(_tokenizer.Encode(token), Is.EqualTo(new[] { id }));
        Assert.That(_tokenizer.IsSpecialToken(id), Is.True);
        Assert.That(_tokenizer.Config!.AddedTokensDecoder[id].Content, Is.EqualTo(token));
        Assert.That(_tokenizer.Decode([id], skipSpecialTokens: true), Is.Empty);
    }

    [Test]
    public void ChatTemplateRendersATwoTurnConversation()
    {
        ChatTemplate template = ChatTemplate.Parse(_tokenizer.Config!.ChatTemplate!, "demo");
        var messages = new List<Dictionary<string, object?>>
        {
            new() { ["role"] = "system", ["content"] = "Be brief." },
            new() { ["role"] = "user", ["content"] = "Hi" },
            new() { ["role"] = "assistant", ["content"] = "<think>say hello</think>Hello!" },
            new() { ["role"] = "user", ["content"] = "Bye" },
        };
        string prompt = template.Render(new Dictionary<string, object?> { ["messages"] = messages, ["add_generation_prompt"] = true });
        Assert.That(prompt, Is.EqualTo("[gMASK]<sop><|system|>Be brief.<|user|>Hi<|assistant|></think>Hello!<|user|>Bye<|assistant|><think>"));

        int[] ids = _tokenizer.Encode(prompt);
        Assert.That(ids[..3], Is.EqualTo(new[] { Id("[gMASK]"), Id("<sop>"), Id("<|system|>") }));
        Assert.That(ids[^2..], Is.EqualTo(new[] { Id("<|assistant|>"), Id("<think>") }));
    }

    [TestCaseSource(nameof(Conversations))]
    public void ChatTemplateMatchesTheBuiltInGlm5Format(string json)
    {
        ChatTemplate template = ChatTemplate.Parse(_tokenizer.Config!.ChatTemplate!, "demo");
        using JsonDocument variables = JsonDocument.Parse(json);
        Assert.That(template.Render(variables.RootElement), Is.EqualTo(Glm5ChatFormat.Render(variables.RootElement)));
    }

    private static IEnumerable<string> Conversations() =>
    [
        """{"messages":[{"role":"user","content":"Hi"}],"add_generation_prompt":true,"enable_thinking":false}""",
        """{"messages":[{"role":"user","content":"Hi"}]}""",
        """{"messages":[{"role":"user","content":"q1"},{"role":"assistant","content":"\n<think>r1</think>\n a1 ","reasoning_content":null},{"role":"user","content":"q2"},{"role":"assistant","content":"<think> r2 </think>a2"}],"add_generation_prompt":true}""",
        """{"messages":[{"role":"user","content":"q1"},{"role":"assistant","content":"a1","reasoning_content":"kept"}],"clear_thinking":false}""",
        """{"messages":[{"role":"user","content":[{"type":"text","text":"Look "},{"type":"image"},{"type":"text","text":"here"}]}]}""",
        """{"tools":[{"type":"function","function":{"name":"get_weather","description":"Wetter für eine Stadt","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],"messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":"Let me check.","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris","days":2,"opts":{"unit":"C"}}}}]},{"role":"tool","content":"sunny"},{"role":"tool","content":"20 C"},{"role":"assistant","content":"It is sunny."}],"add_generation_prompt":true}""",
    ];
}
