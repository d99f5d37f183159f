using GlmRuntime.Tokenization.PreTokenizers;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tests.Tokenization;

public class SplitPreTokenizerTests
{
    private static List<string> Split(PreTokenizer preTokenizer, string text) => PieceCollector.Split(preTokenizer, text);

    // The expectations of the Rust library's own tests for "the-final--countdown".
    [TestCase("Removed", new[] { "the", "final", "countdown" })]
    [TestCase("Isolated", new[] { "the", "-", "final", "-", "-", "countdown" })]
    [TestCase("MergedWithPrevious", new[] { "the-", "final-", "-", "countdown" })]
    [TestCase("MergedWithNext", new[] { "the", "-final", "-", "-countdown" })]
    [TestCase("Contiguous", new[] { "the", "-", "final", "--", "countdown" })]
    public void LiteralDelimiterBehaviors(string behaviorName, string[] expected)
    {
        var behavior = Enum.Parse<SplitBehavior>(behaviorName);
        Assert.That(Split(new SplitPreTokenizer("-", null, behavior, invert: false), "the-final--countdown"), Is.EqualTo(expected));
        Assert.That(Split(new SplitPreTokenizer(null, new CodePointRegex("-"), behavior, invert: false), "the-final--countdown"), Is.EqualTo(expected));
    }

    [Test]
    public void InvertKeepsMatchesWhenRemoving()
    {
        var split = new SplitPreTokenizer(null, new CodePointRegex(@"\p{L}+"), SplitBehavior.Removed, invert: true);
        Assert.That(Split(split, "hi, 𝐀𝐁 there!"), Is.EqualTo(new[] { "hi", "𝐀𝐁", "there" }));
    }

    [Test]
    public void OnlyAPieceAtOffsetZeroKeepsTheTextStartFlag()
    {
        var split = new SplitPreTokenizer("-", null, SplitBehavior.Removed, invert: false);
        var fromStart = new PieceCollector();
        split.Split("a-b".AsMemory(), atTextStart: true, fromStart);
        var afterRemoved = new PieceCollector();
        split.Split("-a-b".AsMemory(), atTextStart: true, afterRemoved);

        Assert.That(fromStart.AtTextStart, Is.EqualTo(new[] { true, false }));
        Assert.That(afterRemoved.AtTextStart, Is.EqualTo(new[] { false, false }));
    }
}
