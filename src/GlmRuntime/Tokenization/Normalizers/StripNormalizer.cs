namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>Removes leading and/or trailing Unicode whitespace.</summary>
internal sealed class StripNormalizer(bool left, bool right) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text) =>
        (left, right) switch
        {
            (true, true) => text.Trim(),
            (true, false) => text.TrimStart(),
            (false, true) => text.TrimEnd(),
            _ => text,
        };
}
