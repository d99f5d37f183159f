namespace GlmRuntime.Tokenization.PostProcessors;

/// <summary>Applies several post-processors in order.</summary>
internal sealed class SequencePostProcessor(IReadOnlyList<PostProcessor> processors) : PostProcessor
{
    /// <inheritdoc />
    public override void Process(List<int> ids, int start)
    {
        foreach (PostProcessor processor in processors)
            processor.Process(ids, start);
    }
}
