using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tests.Tokenization;

public class OnigurumaPatternTranslatorTests
{
    private static string Translate(string pattern) => OnigurumaPatternTranslator.Translate(pattern, []);

    [Test]
    public void WordClassIncludesAllMarksAndNumbers() =>
        Assert.That(Translate(@"\w+[\w-]\W"), Is.EqualTo(@"[\p{L}\p{M}\p{N}\p{Pc}]+[\p{L}\p{M}\p{N}\p{Pc}-][^\p{L}\p{M}\p{N}\p{Pc}]"));

    [Test]
    public void RubyMultilineFlagBecomesDotAll() => Assert.That(Translate("(?m:.)"), Is.EqualTo("(?s:.)"));

    [Test]
    public void IntervalsAreKeptAndOpenLowerBoundIsSpelledOut() =>
        Assert.That(Translate("a{2}b{1,3}?c{,4}d{x}"), Is.EqualTo(@"a{2}b{1,3}?c{0,4}d\{x}"));

    [Test]
    public void HexDigitShorthandIsExpanded() => Assert.That(Translate(@"\h"), Is.EqualTo("[0-9a-fA-F]"));

    [Test]
    public void CaseInsensitiveScopeEndsWithItsGroup() =>
        Assert.That(Translate("(?i:s)s(?i)s"), Is.EqualTo(@"(?i:[sS\u017F])s(?i)[sS\u017F]"));

    [Test]
    public void GlmPatternTranslatesWithoutChangesExceptLongS()
    {
        const string glm = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
        Assert.That(Translate(glm), Is.EqualTo(glm.Replace("'s|", @"'[sS\u017F]|")));
    }

    [Test]
    public void LiteralsAreRecorded()
    {
        var literals = new List<(int Low, int High)>();
        OnigurumaPatternTranslator.Translate(@"[\u4e00-\u9fa5a]x\x{3000}", literals);
        Assert.That(literals, Is.EquivalentTo(new[] { (0x4E00, 0x9FA5), ((int)'a', (int)'a'), ((int)'x', (int)'x'), (0x3000, 0x3000) }));
    }
}
