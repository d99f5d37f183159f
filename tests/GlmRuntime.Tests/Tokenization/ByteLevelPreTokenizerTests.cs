using GlmRuntime.Tokenization.PreTokenizers;

namespace GlmRuntime.Tests.Tokenization;

public class ByteLevelPreTokenizerTests
{
    [Test]
    public void ByteLevelWithRegexSplitsLikeGpt2()
    {
        var byteLevel = new ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: true, emitMappedText: false);
        Assert.That(PieceCollector.Split(byteLevel, "Hello world's  end"), Is.EqualTo(new[] { " Hello", " world", "'s", " ", " end" }));
    }

    [Test]
    public void ByteLevelFollowedByAnotherStepEmitsMappedText()
    {
        var byteLevel = new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: false, emitMappedText: true);
        Assert.That(PieceCollector.Split(byteLevel, "a é"), Is.EqualTo(new[] { "aĠÃ©" }));
    }
}
