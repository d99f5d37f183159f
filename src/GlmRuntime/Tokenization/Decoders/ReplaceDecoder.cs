using GlmRuntime.Tokenization.Normalizers;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.Decoders;

/// <summary>Replaces a literal or regex in every token (e.g. ▁ → space).</summary>
internal sealed class ReplaceDecoder(string? literal, CodePointRegex? regex, string content) : TokenDecoder
{
    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
            tokens[i] = ReplaceNormalizer.Replace(tokens[i], literal, regex, content);
    }
}
