using GlmRuntime.Tests.Support;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Tests.Tokenization;

public class GlmTokenizerTests
{
    private static IEnumerable<TestCaseData> GoldenCases() => TokenizerGolden.Cases();

    [TestCaseSource(nameof(GoldenCases))]
    public void GoldenLineMatchesRustTokenizers(string folder, int lineNumber)
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer(folder);
        GoldenLine line = TokenizerGolden.LinesOf(folder).Single(l => l.LineNumber == lineNumber);
        string where = $"{folder}/golden.jsonl line {lineNumber}";

        int[] ids = tokenizer.Encode(line.Text);
        Assert.That(ids, Is.EqualTo(line.Ids), () => $"{where}: ids\n{TokenizerGolden.DiffIds(tokenizer, line.Ids, ids)}");

        int[] withSpecial = tokenizer.Encode(line.Text, addSpecialTokens: true);
        Assert.That(withSpecial, Is.EqualTo(line.IdsWithSpecial), () => $"{where}: ids_with_special\n{TokenizerGolden.DiffIds(tokenizer, line.IdsWithSpecial, withSpecial)}");

        var appended = new List<int> { -7 };
        tokenizer.Encode(line.Text.AsSpan(), appended);
        Assert.That(appended.Skip(1), Is.EqualTo(line.Ids), $"{where}: span overload");

        Assert.That(tokenizer.Decode(line.Ids), Is.EqualTo(line.Decoded), $"{where}: decoded");
        Assert.That(tokenizer.Decode(line.Ids, skipSpecialTokens: true), Is.EqualTo(line.DecodedSkipSpecial), $"{where}: decoded_skip_special");
    }

    [TestCase("[gMASK]")]
    [TestCase("<sop>")]
    [TestCase("<|system|>")]
    [TestCase("<|user|>")]
    [TestCase("<|assistant|>")]
    [TestCase("<|observation|>")]
    [TestCase("<think>")]
    [TestCase("</think>")]
    [TestCase("<tool_call>")]
    [TestCase("<arg_key>")]
    [TestCase("<arg_value>")]
    [TestCase("<|endoftext|>")]
    public void GlmSpecialTokenIsOneSpecialTokenWithTheIdFromTheFiles(string content)
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("glm-style");
        int expectedId = tokenizer.Config!.AddedTokensDecoder.Values.Single(t => t.Content == content).Id;

        Assert.That(tokenizer.TryGetTokenId(content, out int id), Is.True);
        Assert.That(id, Is.EqualTo(expectedId));
        Assert.That(tokenizer.IsSpecialToken(id), Is.True);
        Assert.That(tokenizer.IdToToken(id), Is.EqualTo(content));
        int[] ids = tokenizer.Encode("hi" + content + "\n");
        Assert.That(ids, Does.Contain(expectedId));
        Assert.That(tokenizer.Decode(ids), Is.EqualTo("hi" + content + "\n"));
        Assert.That(tokenizer.Decode(ids, skipSpecialTokens: true), Is.EqualTo("hi\n"));
    }

    [Test]
    public void GlmPromptPrefixEncodesToTheSpecialIds()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("glm-style");
        tokenizer.TryGetTokenId("[gMASK]", out int gmask);
        tokenizer.TryGetTokenId("<sop>", out int sop);
        tokenizer.TryGetTokenId("<|user|>", out int user);

        Assert.That(tokenizer.Encode("[gMASK]<sop><|user|>")[..3], Is.EqualTo(new[] { gmask, sop, user }));
        Assert.That(tokenizer.AddedTokens.Select(t => t.Id), Is.EquivalentTo(tokenizer.Config!.AddedTokensDecoder.Keys));
    }

    [Test]
    public void VocabSizeIsLargestIdPlusOne()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("deepseek-v3");
        int largest = tokenizer.AddedTokens.Max(t => t.Id);

        Assert.That(tokenizer.VocabSize, Is.EqualTo(largest + 1));
        Assert.That(tokenizer.IdToToken(tokenizer.VocabSize), Is.Null);
    }

    [Test]
    public void DecodingAnUnknownIdThrowsNamingTheId()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("deepseek-v3");

        Assert.That(() => tokenizer.Decode([1, tokenizer.VocabSize + 5]),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains((tokenizer.VocabSize + 5).ToString()));
        Assert.That(() => tokenizer.Decode([-1]), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("-1"));
    }

    [Test]
    public void TemplatePostProcessorAddsTheSpecialTokenFromTheFile()
    {
        GlmTokenizer tokenizer = GlmTokenizer.FromJson(TinyTokenizerJson.ByteLevel());

        Assert.That(tokenizer.Encode("abc ab"), Is.EqualTo(new[] { 6, 4, 5 }));
        Assert.That(tokenizer.Encode("abc ab", addSpecialTokens: true), Is.EqualTo(new[] { 8, 6, 4, 5 }));
        var destination = new List<int> { 42 };
        tokenizer.Encode("abc", destination, addSpecialTokens: true);
        Assert.That(destination, Is.EqualTo(new[] { 42, 8, 6 }));
        Assert.That(tokenizer.Decode([8, 6, 4, 5]), Is.EqualTo("<s>abc ab"));
        Assert.That(tokenizer.Decode([8, 6, 4, 5], skipSpecialTokens: true), Is.EqualTo("abc ab"));
    }

    [Test]
    public void LoneSurrogatesEncodeLikeReplacementCharacters()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("deepseek-v3");

        Assert.That(tokenizer.Encode("a\uD800b"), Is.EqualTo(tokenizer.Encode("a\uFFFDb")));
        Assert.That(tokenizer.Encode("😀\uDC00x\uD83D"), Is.EqualTo(tokenizer.Encode("😀\uFFFDx\uFFFD")));
    }

    [Test]
    public void MalformedJsonNamesTheFile()
    {
        string folder = Directory.CreateTempSubdirectory("glm-tok-").FullName;
        try
        {
            string file = Path.Combine(folder, "tokenizer.json");
            File.WriteAllText(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,}");

            Assert.That(() => GlmTokenizer.FromFile(folder), Throws.TypeOf<TokenizerException>().With.Message.Contains(file));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void UnsupportedComponentNamesTheFileAndJsonPath()
    {
        string json = TinyTokenizerJson.ByteLevel(preTokenizerType: "FancyNewSplitter");

        var error = Assert.Throws<TokenizerException>(() => GlmTokenizer.FromJson(json, sourceName: "models/x/tokenizer.json"))!;
        Assert.That(error.Message, Does.Contain("models/x/tokenizer.json"));
        Assert.That(error.Message, Does.Contain("FancyNewSplitter"));
        Assert.That(error.JsonPath, Is.EqualTo("$.pre_tokenizer.pretokenizers[1]"));
    }

    [Test]
    public void FolderWithByteOrderMarkAndJinjaTemplateLoads()
    {
        string folder = Directory.CreateTempSubdirectory("glm-tok-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), TinyTokenizerJson.ByteLevel(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            Assert.That(GlmTokenizer.FromFile(folder).Encode("abc"), Is.EqualTo(new[] { 6 }));
            Assert.That(GlmTokenizer.FromFile(folder).Config, Is.Null);

            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), "{\"chat_template\": \"old\", \"eos_token\": \"<s>\"}");
            File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), "{{ messages }}");
            TokenizerConfig config = GlmTokenizer.FromFile(Path.Combine(folder, "tokenizer.json")).Config!;
            Assert.That(config.ChatTemplate, Is.EqualTo("{{ messages }}"), "chat_template.jinja wins, as in transformers");
            Assert.That(config.EosToken, Is.EqualTo("<s>"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void MissingFileThrowsFileNotFound()
    {
        Assert.That(() => GlmTokenizer.FromFile(Path.Combine(SharedData.Tokenizers, "no-such-folder")), Throws.TypeOf<FileNotFoundException>());
    }

    [Test]
    public void EncodeIsThreadSafe()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("glm-style");
        GoldenLine[] lines = TokenizerGolden.LinesOf("glm-style");
        int failures = 0;
        Parallel.For(0, lines.Length * 4, i =>
        {
            GoldenLine line = lines[i % lines.Length];
            if (!tokenizer.Encode(line.Text).SequenceEqual(line.Ids))
                Interlocked.Increment(ref failures);
        });
        Assert.That(failures, Is.Zero);
    }

    [Test]
    public void NormalizedAddedTokensMatchTheNormalizedText()
    {
        // The Rust library's options_use_cases: "[CLS]", " my " (normalised, both sides stripped),
        // "name", then " is anthony " as text ("ony" is not a single word there), "[SEP]".
        GlmTokenizer tokenizer = GlmTokenizer.FromJson(TinyTokenizerJson.LowercaseWithAddedTokens());
        // Without merges each ASCII byte is its own token, whose id is the byte value.
        int[] expected = [303, 300, 301, .. " is anthony ".Select(c => (int)c), 304];
        int[] unmatched = [.. "[cls] ".Select(c => (int)c), 302];

        Assert.That(tokenizer.Encode("[CLS] My name is Anthony [SEP]"), Is.EqualTo(expected));
        Assert.That(tokenizer.Encode("[cls] ony"), Is.EqualTo(unmatched));
    }

    [Test]
    public void MetaspaceDecoderDropsReplacementsOfTheFirstToken()
    {
        GlmTokenizer tokenizer = GlmTokenizer.FromJson(TinyTokenizerJson.Metaspace());

        Assert.That(tokenizer.Decode([4, 1, 5]), Is.EqualTo("a  ab"));
        Assert.That(tokenizer.Decode([1, 4, 1, 5]), Is.EqualTo(" a  ab"), "only the first token's replacements are dropped");
        Assert.That(tokenizer.Decode([5, 1]), Is.EqualTo("ab "));
    }
}
