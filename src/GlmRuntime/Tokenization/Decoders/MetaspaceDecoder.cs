namespace GlmRuntime.Tokenization.Decoders;

/// <summary>
/// Turns the replacement character (usually ▁) back into spaces. As in the Rust decoder, when the encoder
/// prepends a replacement (any scheme but "never"), every replacement character of the first token is
/// dropped rather than turned into a space.
/// </summary>
internal sealed class MetaspaceDecoder(char replacement, bool dropInFirstToken) : TokenDecoder
{
    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            tokens[i] = i == 0 && dropInFirstToken
                ? tokens[i].Replace(replacement.ToString(), "", StringComparison.Ordinal)
                : tokens[i].Replace(replacement, ' ');
        }
    }
}
