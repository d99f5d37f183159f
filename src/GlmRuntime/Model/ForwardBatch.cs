namespace GlmRuntime.Model;

/// <summary>
/// The ragged batch of one step (vLLM's flattened batch): every scheduled token of every sequence in one array,
/// their absolute positions, and the segment each sequence owns. Projections and experts run over all rows at
/// once; attention runs per segment over that sequence's cache.
/// </summary>
internal sealed class ForwardBatch
{
    public ForwardBatch(int[] tokens, int[] positions, IReadOnlyList<BatchSegment> segments)
    {
        if (positions.Length != tokens.Length)
            throw new ArgumentException($"{positions.Length} positions for {tokens.Length} tokens.", nameof(positions));
        int next = 0;
        foreach (var segment in segments)
        {
            if (segment.Offset != next || segment.Count < 1)
                throw new ArgumentException($"Segments must tile the batch in order; a segment at row {segment.Offset} of {segment.Count} rows follows row {next}.", nameof(segments));
            if (segment.LogitRows != 0 && segment.LogitRows != 1 && segment.LogitRows != segment.Count)
                throw new ArgumentException($"A segment of {segment.Count} rows asks for {segment.LogitRows} logit rows (0, 1 or all).", nameof(segments));
            next += segment.Count;
        }
        if (next != tokens.Length)
            throw new ArgumentException($"Segments cover {next} of {tokens.Length} rows.", nameof(segments));
        Tokens = tokens;
        Positions = positions;
        Segments = segments;
        LogitRowCount = segments.Sum(s => s.LogitRows);
    }

    /// <summary>[T] token ids.</summary>
    public int[] Tokens { get; }

    /// <summary>[T] absolute positions.</summary>
    public int[] Positions { get; }

    public IReadOnlyList<BatchSegment> Segments { get; }

    public int TokenCount => Tokens.Length;

    /// <summary>Rows of the logits result: the segments' LogitRows in order.</summary>
    public int LogitRowCount { get; }

    /// <summary>A batch of one sequence, at the positions after <paramref name="start"/>.</summary>
    public static ForwardBatch Single(SequenceState sequence, ReadOnlySpan<int> tokens, int start, AttentionForm form, int logitRows)
    {
        var positions = new int[tokens.Length];
        for (int i = 0; i < positions.Length; i++)
            positions[i] = start + i;
        return new ForwardBatch(tokens.ToArray(), positions, [new BatchSegment(sequence, 0, tokens.Length, form, logitRows)]);
    }
}
