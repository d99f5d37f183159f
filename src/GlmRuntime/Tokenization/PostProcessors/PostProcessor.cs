namespace GlmRuntime.Tokenization.PostProcessors;

/// <summary>
/// A post-processor from tokenizer.json's <c>post_processor</c> section, applied to a single sequence
/// when special tokens are requested (typically adding BOS/EOS).
/// </summary>
internal abstract class PostProcessor
{
    /// <summary>Rewrites <c>ids[start..]</c>, the ids of one encoded sequence, in place.</summary>
    public abstract void Process(List<int> ids, int start);
}
