using GlmRuntime.Tokenization.PreTokenizers;

namespace GlmRuntime.Tests.Tokenization;

/// <summary>Collects what a pre-tokeniser emits, for assertions.</summary>
internal sealed class PieceCollector : IPieceSink
{
    /// <summary>The pieces received, in order.</summary>
    public List<string> Pieces { get; } = [];

    /// <summary>Whether each piece was flagged as starting the text.</summary>
    public List<bool> AtTextStart { get; } = [];

    /// <summary>Runs <paramref name="preTokenizer"/> on <paramref name="text"/> and returns the pieces.</summary>
    public static List<string> Split(PreTokenizer preTokenizer, string text)
    {
        var collector = new PieceCollector();
        preTokenizer.Split(text.AsMemory(), atTextStart: true, collector);
        return collector.Pieces;
    }

    /// <inheritdoc />
    public void Accept(ReadOnlyMemory<char> piece, bool atTextStart)
    {
        Pieces.Add(piece.ToString());
        AtTextStart.Add(atTextStart);
    }
}
