using GlmRuntime.Tokenization;

namespace GlmRuntime.Tests.Tokenization;

public class BpeModelReaderTests
{
    [Test]
    public void MergesAsStringsAndAsPairsLoadIdentically()
    {
        GlmTokenizer fromStrings = GlmTokenizer.FromJson(TinyTokenizerJson.ByteLevel(mergesAsPairs: false));
        GlmTokenizer fromPairs = GlmTokenizer.FromJson(TinyTokenizerJson.ByteLevel(mergesAsPairs: true));

        foreach (string text in new[] { "abc", "ab abc", " a b c d", "abcabc dcba", "aaab" })
            Assert.That(fromPairs.Encode(text), Is.EqualTo(fromStrings.Encode(text)), text);
        Assert.That(fromPairs.Encode("abc ab"), Is.EqualTo(new[] { 6, 4, 5 }));
    }

    [Test]
    public void RealTokenizerMergesConvertedToPairsEncodeIdentically()
    {
        string path = Support.SharedData.PathOf("tokenizers", "glm-style", "tokenizer.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        var merges = root["model"]!["merges"]!.AsArray();
        var pairs = new System.Text.Json.Nodes.JsonArray(merges.Select(m =>
        {
            string[] parts = m!.GetValue<string>().Split(' ');
            return (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray(parts[0], parts[1]);
        }).ToArray());
        root["model"]!["merges"] = pairs;
        GlmTokenizer converted = GlmTokenizer.FromJson(root.ToJsonString());
        GlmTokenizer original = TokenizerGolden.Tokenizer("glm-style");

        foreach (GoldenLine line in TokenizerGolden.LinesOf("glm-style").Take(100))
            Assert.That(converted.Encode(line.Text), Is.EqualTo(original.Encode(line.Text)), $"line {line.LineNumber}");
    }

    [Test]
    public void MalformedMergeNamesItsPath()
    {
        string json = TinyTokenizerJson.ByteLevel().Replace("\"ab c\"", "\"ab c d\"");

        var error = Assert.Throws<TokenizerException>(() => GlmTokenizer.FromJson(json, sourceName: "t.json"))!;
        Assert.That(error.JsonPath, Is.EqualTo("$.model.merges[1]"));
        Assert.That(error.Message, Does.StartWith("t.json: $.model.merges[1]:"));
    }

    [Test]
    public void MergeOfUnknownTokenIsRejected()
    {
        string json = TinyTokenizerJson.ByteLevel().Replace("\"ab c\"", "\"ab z\"");

        Assert.That(() => GlmTokenizer.FromJson(json), Throws.TypeOf<TokenizerException>().With.Message.Contains("'z'"));
    }

    [Test]
    public void ByteFallbackAndUnknownTokenFollowTheRustRules()
    {
        GlmTokenizer tokenizer = GlmTokenizer.FromJson(TinyTokenizerJson.Metaspace());

        // "é" is not in the vocabulary: its two UTF-8 bytes become <0xC3><0xA9>.
        Assert.That(tokenizer.Encode("ab é"), Is.EqualTo(new[] { 5, 1, 6 + 0xC3, 6 + 0xA9 }));
        Assert.That(tokenizer.Decode(tokenizer.Encode("ab é")), Is.EqualTo("ab é"));
    }
}
