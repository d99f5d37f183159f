using System.Text;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.Decoders;

/// <summary>
/// Maps byte-level characters back to bytes and reads all of them as one UTF-8 string, replacing
/// invalid sequences with U+FFFD (Rust's <c>String::from_utf8_lossy</c>, which .NET's decoder matches).
/// </summary>
internal sealed class ByteLevelDecoder : TokenDecoder
{
    /// <inheritdoc />
    public override bool IsByteLevelOnly => true;

    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        using var bytes = new ByteBuffer();
        foreach (string token in tokens)
            ByteLevelAlphabet.AppendTokenBytes(token, bytes);
        tokens.Clear();
        tokens.Add(Encoding.UTF8.GetString(bytes.WrittenSpan));
    }
}
