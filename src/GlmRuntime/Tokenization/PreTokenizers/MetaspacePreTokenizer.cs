namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>
/// SentencePiece-style Metaspace: spaces become a replacement character (usually ▁), a replacement is
/// prepended per the scheme, and pieces split before each replacement character.
/// </summary>
internal sealed class MetaspacePreTokenizer(char replacement, MetaspacePrependScheme scheme, bool split) : PreTokenizer
{
    /// <inheritdoc />
    public override void Split(ReadOnlyMemory<char> piece, bool atTextStart, IPieceSink output)
    {
        string text = piece.Span.ToString().Replace(' ', replacement);
        bool prepend = scheme == MetaspacePrependScheme.Always || (scheme == MetaspacePrependScheme.First && atTextStart);
        if (prepend && !text.StartsWith(replacement))
            text = replacement + text;
        ReadOnlyMemory<char> memory = text.AsMemory();
        if (!split)
        {
            if (memory.Length > 0)
                output.Accept(memory, atTextStart);
            return;
        }
        var folder = new SplitFolder(memory, atTextStart, output, SplitBehavior.MergedWithNext, invert: false);
        int previous = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != replacement)
                continue;
            if (i > previous)
                folder.Add(previous, i, false);
            folder.Add(i, i + 1, true);
            previous = i + 1;
        }
        if (text.Length > previous)
            folder.Add(previous, text.Length, false);
        folder.Finish();
    }
}
