using GlmRuntime.Tokenization.PreTokenizers;

namespace GlmRuntime.Tests.Tokenization;

public class CharPredicatePreTokenizerTests
{
    [Test]
    public void DigitsSplitContiguousOrIndividually()
    {
        var contiguous = new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsNumeric, SplitBehavior.Contiguous);
        var individual = new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsNumeric, SplitBehavior.Isolated);
        Assert.That(PieceCollector.Split(contiguous, "ab123c4"), Is.EqualTo(new[] { "ab", "123", "c", "4" }));
        Assert.That(PieceCollector.Split(individual, "ab12"), Is.EqualTo(new[] { "ab", "1", "2" }));
    }
}
