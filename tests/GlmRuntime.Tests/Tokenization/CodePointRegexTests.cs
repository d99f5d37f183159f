using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tests.Tokenization;

public class CodePointRegexTests
{
    private static List<string> Matches(string pattern, string text)
    {
        var regex = new CodePointRegex(pattern);
        var result = new List<string>();
        foreach ((int start, int length) in regex.EnumerateMatches(text))
            result.Add(text.Substring(start, length));
        return result;
    }

    [Test]
    public void LetterOutsideTheBmpMatchesLetterCategory()
    {
        Assert.That(Matches(@"\p{L}+", "x 𝐀𝐁𝐂 y"), Is.EqualTo(new[] { "x", "𝐀𝐁𝐂", "y" }));
        Assert.That(Matches(@"\p{Lu}", "𝐀"), Is.EqualTo(new[] { "𝐀" }));
        Assert.That(Matches(@"[^\s\p{L}]+", "𝐀😀𝐁"), Is.EqualTo(new[] { "😀" }));
    }

    [Test]
    public void QuantifiersCountCodePointsNotCodeUnits()
    {
        // Mathematical double-struck digits are Nd outside the BMP: three code points, six UTF-16 units.
        Assert.That(Matches(@"\p{N}{1,3}", "𝟙𝟚𝟛𝟜"), Is.EqualTo(new[] { "𝟙𝟚𝟛", "𝟜" }));
        Assert.That(Matches(@".", "😀"), Is.EqualTo(new[] { "😀" }));
    }

    [Test]
    public void StandInsNeverCollideWithPatternLiterals()
    {
        // The class names many BMP symbols literally; an emoji (So) must still only match \p{S}.
        Assert.That(Matches(@"[!#$%&©®°±]|\p{S}", "😀©"), Is.EqualTo(new[] { "😀", "©" }));
        Assert.That(Matches(@"[\u00A0-\uFFFD]", "😀"), Is.Empty);
    }

    [Test]
    public void IgnoreCaseFoldsLongSLikeOniguruma()
    {
        Assert.That(Matches(@"(?i:'s|'t)", "it's IT'S it'ſ IT'T"), Is.EqualTo(new[] { "'s", "'S", "'ſ", "'T" }));
        Assert.That(Matches(@"(?i:[s])", "ſ"), Is.EqualTo(new[] { "ſ" }));
    }

    [Test]
    public void WhitespaceMatchesUnicodeWhiteSpaceOnly()
    {
        Assert.That(Matches(@"\s", "a\u0085b\u00A0c\u3000d\u200Be\uFEFF"), Is.EqualTo(new[] { "\u0085", "\u00A0", "\u3000" }));
    }

    [Test]
    public void EmptyMatchRightAfterAMatchIsSkippedLikeOnig()
    {
        Assert.That(Matches("a*", "baa"), Is.EqualTo(new[] { "", "aa" }));
    }

    [Test]
    public void LoneSurrogateIsMatchedAsReplacementCharacter()
    {
        Assert.That(Matches(@"\uFFFD", "a\uD83Db"), Is.EqualTo(new[] { "\uD83D" }));
    }

    [TestCase(@"a++", "possessive")]
    [TestCase(@"\p{Han}", "Han")]
    [TestCase(@"[a[b]]", "nested")]
    [TestCase(@"[[:alpha:]]", "POSIX")]
    [TestCase(@"a\Kb", @"\K")]
    [TestCase("\U0001F600", "Basic Multilingual Plane")]
    [TestCase(@"\x{1F600}", "Basic Multilingual Plane")]
    public void UnsupportedConstructIsRejectedByName(string pattern, string named)
    {
        Assert.That(() => new CodePointRegex(pattern), Throws.ArgumentException.With.Message.Contains(named));
    }
}
