namespace GlmRuntime.Tokenization.Decoders;

/// <summary>The <c>BPEDecoder</c>: an end-of-word suffix becomes a space, except on the last token.</summary>
internal sealed class BpeSuffixDecoder(string suffix) : TokenDecoder
{
    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
            tokens[i] = tokens[i].Replace(suffix, i == tokens.Count - 1 ? "" : " ", StringComparison.Ordinal);
    }
}
