using System.Text;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Tests.Tokenization;

public class StreamingDetokenizerTests
{
    private static IEnumerable<TestCaseData> GoldenCases() => TokenizerGolden.Cases();

    [TestCaseSource(nameof(GoldenCases))]
    public void DeltasOfGoldenLineConcatenateToFullDecode(string folder, int lineNumber)
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer(folder);
        GoldenLine line = TokenizerGolden.LinesOf(folder).Single(l => l.LineNumber == lineNumber);
        foreach (bool skip in new[] { false, true })
        {
            string expected = skip ? line.DecodedSkipSpecial : line.Decoded;
            StreamingDetokenizer stream = tokenizer.CreateStreamingDetokenizer(skip);
            var deltas = line.Ids.Select(stream.Append).ToList();
            deltas.Add(stream.Flush());
            string where = $"{folder}/golden.jsonl line {lineNumber} (skipSpecialTokens: {skip})";

            Assert.That(string.Concat(deltas), Is.EqualTo(expected), where);
            Assert.That(deltas.Sum(d => d.Count(c => c == '\uFFFD')), Is.EqualTo(expected.Count(c => c == '\uFFFD')), $"{where}: stray U+FFFD");
            foreach (string delta in deltas.Where(d => d.Length > 0))
            {
                Assert.That(char.IsLowSurrogate(delta[0]) || char.IsHighSurrogate(delta[^1]), Is.False, $"{where}: delta {Escape(delta)} splits a character");
                Assert.That(delta.EnumerateRunes().All(r => r.Value != 0xFFFD) || expected.Contains('\uFFFD'), Is.True, $"{where}: delta {Escape(delta)} holds U+FFFD");
            }
        }
    }

    [Test]
    public void MultiByteCharacterSplitAcrossTokensIsHeldBackUntilComplete()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("glm-style");
        const string text = "😀🀄";
        int[] ids = tokenizer.Encode(text);
        Assert.That(ids, Has.Length.GreaterThan(2), "the emoji must span several byte tokens for this test to mean anything");

        StreamingDetokenizer stream = tokenizer.CreateStreamingDetokenizer();
        var deltas = ids.Select(stream.Append).ToList();

        Assert.That(deltas.Where(d => d.Length > 0), Is.EqualTo(new[] { "😀", "🀄" }));
        Assert.That(stream.Flush(), Is.Empty);
    }

    [Test]
    public void IncompleteTrailingCharacterBecomesReplacementCharacterOnFlush()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("deepseek-v3");
        int[] ids = tokenizer.Encode("a😀");
        StreamingDetokenizer stream = tokenizer.CreateStreamingDetokenizer();
        string emitted = string.Concat(ids[..^1].Select(stream.Append));

        Assert.That(emitted, Is.EqualTo("a"));
        Assert.That(stream.Flush(), Is.EqualTo(tokenizer.Decode(ids[..^1])[1..]));
        Assert.That(tokenizer.Decode(ids[..^1]), Does.EndWith("\uFFFD"));
    }

    [Test]
    public void InvalidByteIsReplacedAtOnceLikeTheFullDecode()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("deepseek-v3");
        // A lone continuation byte can never become valid: U+FFFD immediately, as Decode would write it.
        Assert.That(tokenizer.TryGetTokenId("\u0122", out int continuation), Is.True); // byte 0x80 in the byte-level alphabet
        int[] ids = [.. tokenizer.Encode("x"), continuation, .. tokenizer.Encode("y")];
        StreamingDetokenizer stream = tokenizer.CreateStreamingDetokenizer();

        Assert.That(ids.Select(stream.Append), Is.EqualTo(new[] { "x", "\uFFFD", "y" }));
        Assert.That(tokenizer.Decode(ids), Is.EqualTo("x\uFFFDy"));
    }

    [Test]
    public void SpecialTokensAreSkippedWhenAsked()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("glm-style");
        int[] ids = tokenizer.Encode("[gMASK]<sop>hello");
        StreamingDetokenizer stream = tokenizer.CreateStreamingDetokenizer(skipSpecialTokens: true);

        Assert.That(string.Concat(ids.Select(stream.Append)) + stream.Flush(), Is.EqualTo("hello"));
    }

    [Test]
    public void NonByteLevelDecoderStreamsThroughRedecoding()
    {
        GlmTokenizer tokenizer = GlmTokenizer.FromJson(TinyTokenizerJson.Metaspace());
        int[] ids = tokenizer.Encode("ab ab");
        StreamingDetokenizer stream = tokenizer.CreateStreamingDetokenizer();
        string streamed = string.Concat(ids.Select(stream.Append)) + stream.Flush();

        Assert.That(streamed, Is.EqualTo(tokenizer.Decode(ids)));
        Assert.That(streamed, Is.EqualTo("ab ab"));
    }

    [Test]
    public void OutOfRangeIdThrows()
    {
        StreamingDetokenizer stream = TokenizerGolden.Tokenizer("glm-style").CreateStreamingDetokenizer();
        Assert.That(() => stream.Append(int.MaxValue), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains(int.MaxValue.ToString()));
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c < 0x80 && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:X4}"));
}
