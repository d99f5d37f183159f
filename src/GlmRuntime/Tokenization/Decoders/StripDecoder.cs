namespace GlmRuntime.Tokenization.Decoders;

/// <summary>Removes up to <c>start</c> leading and <c>stop</c> trailing occurrences of a character from every token.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : TokenDecoder
{
    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            int head = 0;
            while (head < start && head < token.Length && token[head] == content)
                head++;
            int tail = 0;
            while (tail < stop && head + tail < token.Length && token[token.Length - 1 - tail] == content)
                tail++;
            tokens[i] = token.Substring(head, token.Length - head - tail);
        }
    }
}
