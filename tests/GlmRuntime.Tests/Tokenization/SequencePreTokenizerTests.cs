using GlmRuntime.Tokenization.PreTokenizers;

namespace GlmRuntime.Tests.Tokenization;

public class SequencePreTokenizerTests
{
    [Test]
    public void SequenceRunsStagesInOrder()
    {
        var sequence = new SequencePreTokenizer(
        [
            new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsNumeric, SplitBehavior.Isolated),
            new SplitPreTokenizer(" ", null, SplitBehavior.MergedWithNext, invert: false),
            new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: false, emitMappedText: true),
        ]);
        Assert.That(PieceCollector.Split(sequence, "ab 1 cd"), Is.EqualTo(new[] { "ab", "Ġ", "1", "Ġcd" }));
    }
}
