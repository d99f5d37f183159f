namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>Prepends fixed text to every non-empty piece.</summary>
internal sealed class PrependNormalizer(string prefix) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}
