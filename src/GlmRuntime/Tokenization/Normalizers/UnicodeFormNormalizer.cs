using System.Text;

namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>Unicode normalisation form NFC, NFD, NFKC or NFKD.</summary>
internal sealed class UnicodeFormNormalizer(NormalizationForm form) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text) => text.IsNormalized(form) ? text : text.Normalize(form);
}
