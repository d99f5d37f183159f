using System.Globalization;
using System.Text;

namespace GlmRuntime.Tokenization.Decoders;

/// <summary>
/// Turns runs of <c>&lt;0xXX&gt;</c> tokens into text. A run that is not valid UTF-8 becomes one U+FFFD per
/// byte token, as in the Rust decoder (not the per-sequence replacement of a lossy conversion).
/// </summary>
internal sealed class ByteFallbackDecoder : TokenDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <inheritdoc />
    public override void DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var run = new List<byte>();
        foreach (string token in tokens)
        {
            if (TryParseByte(token, out byte value))
            {
                run.Add(value);
                continue;
            }
            FlushRun(run, result);
            result.Add(token);
        }
        FlushRun(run, result);
        tokens.Clear();
        tokens.AddRange(result);
    }

    private static bool TryParseByte(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static void FlushRun(List<byte> run, List<string> result)
    {
        if (run.Count == 0)
            return;
        try
        {
            result.Add(StrictUtf8.GetString(run.ToArray()));
        }
        catch (DecoderFallbackException)
        {
            for (int i = 0; i < run.Count; i++)
                result.Add("\uFFFD");
        }
        run.Clear();
    }
}
