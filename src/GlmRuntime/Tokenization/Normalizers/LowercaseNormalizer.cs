using System.Text;

namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>
/// Lower-cases each code point as Rust's <c>char::to_lowercase</c> does: the invariant simple mapping,
/// except U+0130 (İ), whose full lowercase is two code points (i + U+0307).
/// </summary>
internal sealed class LowercaseNormalizer : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (rune.Value == 0x130)
                builder.Append("i\u0307");
            else
                builder.Append(Rune.ToLowerInvariant(rune).ToString());
        }
        return builder.ToString();
    }
}
