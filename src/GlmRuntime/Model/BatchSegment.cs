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
    /// <summary>
    /// When set, overrides <see cref="Form"/> row by row: rows at this position or later attend absorbed, earlier
    /// rows expanded. The engine passes the prompt length, so every token is computed the same way whether it
    /// runs alone, batched, chunked or recomputed after preemption.
    /// </summary>
    public int? AbsorbedFromPosition { get; init; }

    /// <summary>Rows (from the start of the segment) that attend in the expanded form; the rest attend absorbed.</summary>
    public int ExpandedRowCount(ReadOnlySpan<int> positions)
    {
        if (AbsorbedFromPosition is { } from)
        {
            int rows = 0;
            while (rows < Count && positions[Offset + rows] < from)
                rows++;
            return rows;
        }
        bool absorbed = Form == AttentionForm.Absorbed || (Form == AttentionForm.Auto && Count == 1);
        return absorbed ? 0 : Count;
    }

    /// <summary>The last indexer selection [Count, width], reused by GLM-5.2 layers that share their indexer.</summary>
    public int[]? SharedSelection { get; set; }

    public int SharedSelectionWidth { get; set; }
}
