using GlmRuntime.Model;

namespace GlmRuntime.Engine;

/// <summary>
/// Turns a step's scheduled work into one ragged <see cref="ForwardBatch"/>, runs the model, and keeps the MTP
/// layer's cache in step when it is kept: slot i pairs target hidden state i with token i+1, so each step
/// extends it over the positions whose next token became known (draft-extend).
/// </summary>
internal sealed class ModelRunner(GlmModel model, bool keepMtpCache)
{
    /// <summary>The logits of the requests that completed their known tokens this step (one row each, in order).</summary>
    public sealed record Output(float[] Logits, IReadOnlyList<EngineRequest> Sampled);

    /// <summary>Runs <paramref name="work"/>: each request's next TokenCount tokens after what its KV holds.</summary>
    public Output Run(IReadOnlyList<(EngineRequest Request, int TokenCount)> work)
    {
        int total = work.Sum(w => w.TokenCount);
        var tokens = new int[total];                                                    // [T]
        var positions = new int[total];                                                 // [T]
        var segments = new List<BatchSegment>(work.Count);
        var sampled = new List<EngineRequest>();
        int offset = 0;
        foreach (var (request, count) in work)
        {
            var sequence = request.Sequence!;
            int start = sequence.Length;
            bool completes = start + count == request.Tokens.Count;
            for (int i = 0; i < count; i++)
            {
                tokens[offset + i] = request.Tokens[start + i];
                positions[offset + i] = start + i;
            }
            segments.Add(new BatchSegment(sequence, offset, count, AttentionForm.Expanded, completes ? 1 : 0)
            {
                AbsorbedFromPosition = request.Prompt.Length,
            });
            if (completes)
                sampled.Add(request);
            offset += count;
        }
        var batch = new ForwardBatch(tokens, positions, segments);
        var result = model.Forward(batch);
        if (keepMtpCache)
            ExtendMtp(work, batch, result.Hidden);
        return new Output(result.Logits, sampled);
    }

    /// <summary>
    /// Runs the MTP layer over the slots this step made computable: the slot of a request's pending hidden state
    /// (its next token is this chunk's first) and every row of the chunk but the last, whose hidden state stays pending.
    /// </summary>
    private void ExtendMtp(IReadOnlyList<(EngineRequest Request, int TokenCount)> work, ForwardBatch batch, float[] hidden)
    {
        int d = model.Config.HiddenSize;
        var tokens = new List<int>();
        var positions = new List<int>();
        var rows = new List<float>();
        var segments = new List<BatchSegment>();
        for (int w = 0; w < work.Count; w++)
        {
            var (request, count) = work[w];
            var segment = batch.Segments[w];
            int start = batch.Positions[segment.Offset], first = tokens.Count;
            if (request.PendingMtpHidden is { } pending)
            {
                rows.AddRange(pending);
                tokens.Add(request.Tokens[start]);
                positions.Add(start - 1);
            }
            for (int i = 0; i + 1 < count; i++)
            {
                rows.AddRange(hidden.AsSpan((segment.Offset + i) * d, d));
                tokens.Add(request.Tokens[start + i + 1]);
                positions.Add(start + i);
            }
            request.PendingMtpHidden = hidden.AsSpan((segment.Offset + count - 1) * d, d).ToArray();
            if (tokens.Count > first)
                segments.Add(new BatchSegment(request.Sequence!, first, tokens.Count - first, AttentionForm.Expanded, 0)
                {
                    AbsorbedFromPosition = request.Prompt.Length,
                });
        }
        if (segments.Count > 0)
            model.ForwardMtp(new ForwardBatch([.. tokens], [.. positions], segments), rows.ToArray());
    }
}
