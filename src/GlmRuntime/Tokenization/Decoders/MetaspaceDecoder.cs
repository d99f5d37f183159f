namespace GlmRuntime.Tokenization.Decoders;

/// <summary>Turns the replacement character back into spaces and drops the space the encoder prepended to the first token.</summary>
internal sealed class MetaspaceDecoder(char replacement, bool stripFirstSpace) : TokenDecoder
{
    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i].Replace(replacement, ' ');
            if (i == 0 && stripFirstSpace && token.StartsWith(' '))
                token = token[1..];
            tokens[i] = token;
        }
    }
}
