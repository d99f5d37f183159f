namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>
/// A text normaliser from tokenizer.json's <c>normalizer</c> section. The Rust library applies it to
/// each piece of text left between added tokens, so implementations only see one piece at a time.
/// </summary>
internal abstract class Normalizer
{
    /// <summary>True when <see cref="Normalize"/> always returns its input (an empty Sequence); callers then skip it.</summary>
    public virtual bool IsIdentity => false;

    /// <summary>Returns the normalised form of one piece of valid UTF-16 text.</summary>
    public abstract string Normalize(string text);
}
