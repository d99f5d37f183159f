using GlmRuntime.Tokenization.PreTokenizers;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tests.Tokenization;

public class SplitPreTokenizerTests
{
    private static List<string> Split(PreTokenizer preTokenizer, string text)
    {
        var sink = new CollectingSink();
        preTokenizer.Split(text.AsMemory(), atTextStart: true, sink);
        return sink.Pieces;
    }

    private sealed class CollectingSink : IPieceSink
    {
        public List<string> Pieces { get; } = [];

        public void Accept(ReadOnlyMemory<char> piece, bool atTextStart) => Pieces.Add(piece.ToString());
    }

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
    public void DigitsSplitContiguousOrIndividually()
    {
        var contiguous = new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsNumeric, SplitBehavior.Contiguous);
        var individual = new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsNumeric, SplitBehavior.Isolated);
        Assert.That(Split(contiguous, "ab123c4"), Is.EqualTo(new[] { "ab", "123", "c", "4" }));
        Assert.That(Split(individual, "ab12"), Is.EqualTo(new[] { "ab", "1", "2" }));
    }

    [Test]
    public void ByteLevelWithRegexSplitsLikeGpt2()
    {
        var byteLevel = new ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: true, emitMappedText: false);
        Assert.That(Split(byteLevel, "Hello world's  end"), Is.EqualTo(new[] { " Hello", " world", "'s", " ", " end" }));
    }

    [Test]
    public void ByteLevelFollowedByAnotherStepEmitsMappedText()
    {
        var byteLevel = new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: false, emitMappedText: true);
        Assert.That(Split(byteLevel, "a é"), Is.EqualTo(new[] { "aĠÃ©" }));
    }

    [Test]
    public void SequenceRunsStagesInOrder()
    {
        var sequence = new SequencePreTokenizer(
        [
            new CharPredicatePreTokenizer(CharPredicatePreTokenizer.IsNumeric, SplitBehavior.Isolated),
            new SplitPreTokenizer(" ", null, SplitBehavior.MergedWithNext, invert: false),
            new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: false, emitMappedText: true),
        ]);
        Assert.That(Split(sequence, "ab 1 cd"), Is.EqualTo(new[] { "ab", "Ġ", "1", "Ġcd" }));
    }

    [Test]
    public void MetaspacePrependsOnlyAtTextStartWithFirstScheme()
    {
        var metaspace = new MetaspacePreTokenizer('▁', MetaspacePrependScheme.First, split: true);
        var sink = new CollectingSink();
        metaspace.Split("a b".AsMemory(), atTextStart: true, sink);
        metaspace.Split("c d".AsMemory(), atTextStart: false, sink);
        Assert.That(sink.Pieces, Is.EqualTo(new[] { "▁a", "▁b", "c", "▁d" }));
    }
}
