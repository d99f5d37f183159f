namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>Applies several normalisers in order (<c>{"type":"Sequence","normalizers":[...]}</c>).</summary>
internal sealed class SequenceNormalizer(IReadOnlyList<Normalizer> normalizers) : Normalizer
{
    /// <inheritdoc />
    public override bool IsIdentity => normalizers.All(n => n.IsIdentity);

    /// <inheritdoc />
    public override string Normalize(string text)
    {
        foreach (Normalizer normalizer in normalizers)
            text = normalizer.Normalize(text);
        return text;
    }
}
