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
}
