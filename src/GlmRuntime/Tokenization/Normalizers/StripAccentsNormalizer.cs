using System.Globalization;
using System.Text;

namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>Removes combining marks (general category M); usually placed after NFD.</summary>
internal sealed class StripAccentsNormalizer : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
        {
            UnicodeCategory category = Rune.GetUnicodeCategory(rune);
            if (category is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
                builder.Append(rune.ToString());
        }
        return builder.ToString();
    }
}
