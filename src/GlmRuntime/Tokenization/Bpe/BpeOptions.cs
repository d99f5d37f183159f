namespace GlmRuntime.Tokenization.Bpe;

/// <summary>The optional settings of a tokenizer.json <c>model</c> of type BPE.</summary>
/// <param name="UnknownToken">Token for characters missing from the vocabulary; null drops them.</param>
/// <param name="ContinuingSubwordPrefix">Prefix of every non-initial symbol (e.g. <c>##</c>).</param>
/// <param name="EndOfWordSuffix">Suffix of the final symbol (e.g. <c>&lt;/w&gt;</c>).</param>
/// <param name="FuseUnknown">Consecutive unknown characters become one unknown token.</param>
/// <param name="ByteFallback">Missing characters become <c>&lt;0xXX&gt;</c> byte tokens.</param>
/// <param name="IgnoreMerges">A word found whole in the vocabulary is not merged.</param>
internal sealed record BpeOptions(
    string? UnknownToken,
    string? ContinuingSubwordPrefix,
    string? EndOfWordSuffix,
    bool FuseUnknown,
    bool ByteFallback,
    bool IgnoreMerges);
