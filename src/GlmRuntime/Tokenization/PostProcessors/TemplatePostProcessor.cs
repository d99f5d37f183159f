namespace GlmRuntime.Tokenization.PostProcessors;

/// <summary>
/// <c>TemplateProcessing</c> (and the Bert/Roberta processors, which are fixed templates): the single-sequence
/// template is a list of items, each either the sequence itself or the ids of a special token.
/// </summary>
internal sealed class TemplatePostProcessor(IReadOnlyList<int[]?> items) : PostProcessor
{
    /// <summary>The template; a null item stands for the sequence.</summary>
    public IReadOnlyList<int[]?> Items { get; } = items;

    /// <inheritdoc />
    public override void Process(List<int> ids, int start)
    {
        int[] sequence = ids.GetRange(start, ids.Count - start).ToArray();
        ids.RemoveRange(start, ids.Count - start);
        foreach (int[]? item in Items)
            ids.AddRange(item ?? sequence);
    }
}
