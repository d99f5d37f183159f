namespace GlmRuntime.Model;

/// <summary>
/// One sequence's run of tokens inside a <see cref="ForwardBatch"/>: rows Offset..Offset+Count−1 of the batch,
/// appended to <see cref="Sequence"/>'s caches at the positions that follow them.
/// </summary>
/// <param name="Sequence">Whose caches the rows extend.</param>
/// <param name="Offset">First row in the batch.</param>
/// <param name="Count">Rows.</param>
/// <param name="Form">MLA form: the engine uses absorbed for decode tokens and expanded for prompt chunks.</param>
/// <param name="LogitRows">Logit rows wanted: 0, 1 (the last row) or Count (every row).</param>
internal sealed record BatchSegment(SequenceState Sequence, int Offset, int Count, AttentionForm Form, int LogitRows)
{
    /// <summary>True when this segment attends in the absorbed form.</summary>
    public bool UseAbsorbed => Form == AttentionForm.Absorbed || (Form == AttentionForm.Auto && Count == 1);

    /// <summary>The last indexer selection [Count, width], reused by GLM-5.2 layers that share their indexer.</summary>
    public int[]? SharedSelection { get; set; }

    public int SharedSelectionWidth { get; set; }
}
