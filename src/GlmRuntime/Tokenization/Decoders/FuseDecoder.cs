namespace GlmRuntime.Tokenization.Decoders;

/// <summary>Joins all tokens into one.</summary>
internal sealed class FuseDecoder : TokenDecoder
{
    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        string joined = string.Concat(tokens);
        tokens.Clear();
        tokens.Add(joined);
    }
}
