namespace GlmRuntime.Tokenization.Decoders;

/// <summary>
/// A decoder from tokenizer.json's <c>decoder</c> section. As in the Rust library, a decoder rewrites the
/// list of token strings (<see cref="DecodeChain"/>) and the final text is the concatenation of the list.
/// </summary>
internal abstract class TokenDecoder
{
    /// <summary>
    /// True when decoding is exactly "concatenate every token's bytes (<see cref="Text.ByteLevelAlphabet.AppendTokenBytes"/>)
    /// and read them as UTF-8": the fast path, and the one the streaming detokenizer can run incrementally.
    /// </summary>
    public virtual bool IsByteLevelOnly => false;

    /// <summary>Rewrites <paramref name="tokens"/> in place.</summary>
    public abstract void DecodeChain(List<string> tokens);
}
