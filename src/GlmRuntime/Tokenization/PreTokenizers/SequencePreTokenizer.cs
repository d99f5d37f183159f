namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>Applies several pre-tokenisers in order, each to every piece the previous one produced.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<PreTokenizer> preTokenizers) : PreTokenizer
{
    /// <inheritdoc />
    public override bool EndsWithByteLevel => preTokenizers.Count > 0 && preTokenizers[^1].EndsWithByteLevel;

    /// <inheritdoc />
    public override void Split(ReadOnlyMemory<char> piece, bool atTextStart, IPieceSink sink)
    {
        if (preTokenizers.Count == 0)
        {
            sink.Accept(piece, atTextStart);
            return;
        }
        // One link per later stage, built per call because the final sink differs per call.
        IPieceSink next = sink;
        for (int stage = preTokenizers.Count - 1; stage >= 1; stage--)
            next = new Stage(preTokenizers[stage], next);
        preTokenizers[0].Split(piece, atTextStart, next);
    }

    /// <summary>Feeds each piece of the previous stage through one pre-tokeniser.</summary>
    private sealed class Stage(PreTokenizer preTokenizer, IPieceSink next) : IPieceSink
    {
        public void Accept(ReadOnlyMemory<char> piece, bool atTextStart) => preTokenizer.Split(piece, atTextStart, next);
    }
}
