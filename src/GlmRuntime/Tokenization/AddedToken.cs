namespace GlmRuntime.Tokenization;

/// <summary>
/// A token declared outside the model vocabulary (tokenizer.json <c>added_tokens</c> or
/// tokenizer_config.json <c>added_tokens_decoder</c>). Added tokens are cut out of the input text
/// before normalisation and pre-tokenisation, as the Hugging Face <c>tokenizers</c> library does.
/// </summary>
/// <param name="Id">The token id.</param>
/// <param name="Content">The exact text of the token.</param>
/// <param name="Special">Special tokens are dropped by <c>Decode(..., skipSpecialTokens: true)</c>.</param>
/// <param name="LStrip">The match also swallows the whitespace on its left.</param>
/// <param name="RStrip">The match also swallows the whitespace on its right.</param>
/// <param name="SingleWord">The token only matches when it is not glued to word characters on either side.</param>
/// <param name="Normalized">The token is matched against the normalised text instead of the raw text.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool LStrip, bool RStrip, bool SingleWord, bool Normalized);
