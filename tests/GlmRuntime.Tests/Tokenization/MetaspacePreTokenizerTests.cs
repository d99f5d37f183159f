using GlmRuntime.Tokenization.PreTokenizers;

namespace GlmRuntime.Tests.Tokenization;

public class MetaspacePreTokenizerTests
{
    [Test]
    public void MetaspacePrependsOnlyAtTextStartWithFirstScheme()
    {
        var metaspace = new MetaspacePreTokenizer('▁', MetaspacePrependScheme.First, split: true);
        var sink = new PieceCollector();
        metaspace.Split("a b".AsMemory(), atTextStart: true, sink);
        metaspace.Split("c d".AsMemory(), atTextStart: false, sink);
        Assert.That(sink.Pieces, Is.EqualTo(new[] { "▁a", "▁b", "c", "▁d" }));
    }
}
