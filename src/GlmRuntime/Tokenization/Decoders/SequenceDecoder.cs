namespace GlmRuntime.Tokenization.Decoders;

/// <summary>Applies several decoders in order.</summary>
internal sealed class SequenceDecoder(IReadOnlyList<TokenDecoder> decoders) : TokenDecoder
{
    /// <inheritdoc />
    public override bool IsByteLevelOnly => decoders.Count == 1 && decoders[0].IsByteLevelOnly;

    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        foreach (TokenDecoder decoder in decoders)
            decoder.DecodeChain(tokens);
    }
}
