using System.Numerics.Tensors;
using GlmRuntime.Kv;
using GlmRuntime.Model;
using GlmRuntime.Speculative;

namespace GlmRuntime.Engine;

/// <summary>
/// Turns a step's scheduled work into model forwards: the MTP draft steps of the speculating decodes, then one
/// ragged target forward over every prefill chunk, decode and verify. It keeps the MTP layer's cache in step when
/// it is kept: slot i pairs target hidden state i with token i+1, computed once token i+1 is known (draft-extend).
/// </summary>
internal sealed class ModelRunner(GlmModel model, bool keepMtpCache, SpeculativeDecodingOptions? speculative, int pageSize, PagePool? verifyPool)
{
    /// <summary>A request that gets tokens from this step: its logit rows and, when it speculated, its drafts.</summary>
    /// <param name="Request">The request.</param>
    /// <param name="FirstLogitRow">Its first row in <see cref="Output.Logits"/>.</param>
    /// <param name="Drafts">The drafts its rows verify (row k is the target's distribution for draft k); empty for a plain decode.</param>
    /// <param name="RootPosition">Where the verified run starts (the root token's position).</param>
    /// <param name="VerifyHidden">[1 + drafts, d] the verify rows' hidden states, for the MTP slots of what is accepted.</param>
    public sealed record Sampled(EngineRequest Request, int FirstLogitRow, int[] Drafts, int RootPosition, float[]? VerifyHidden);

    /// <summary>The logit rows [rows, V] of the requests that complete their known tokens this step, in order.</summary>
    public sealed record Output(float[] Logits, IReadOnlyList<Sampled> Sampled);

    private readonly int _hiddenSize = model.Config.HiddenSize;

    /// <summary>Runs <paramref name="work"/>: each request's next tokens after what its KV holds, drafts first.</summary>
    public Output Run(IReadOnlyList<StepWork> work)
    {
        var drafts = DraftAll(work);
        int total = 0;
        for (int w = 0; w < work.Count; w++)
            total += work[w].TokenCount + drafts[w].Length;
        var tokens = new int[total];                                                    // [T]
        var positions = new int[total];                                                 // [T]
        var segments = new List<BatchSegment>(work.Count);
        var sampled = new List<Sampled>();
        var verifyRows = new List<(float[] Hidden, int Offset)>();
        int offset = 0, logitRow = 0;
        for (int w = 0; w < work.Count; w++)
        {
            var (request, count, _) = work[w];
            var sequence = request.Sequence!;
            int start = sequence.Length, rows = count + drafts[w].Length;
            for (int i = 0; i < rows; i++)
            {
                tokens[offset + i] = i < count ? request.Tokens[start + i] : drafts[w][i - count];
                positions[offset + i] = start + i;
            }
            bool completes = start + count == request.Tokens.Count;
            int logitRows = !completes ? 0 : drafts[w].Length > 0 ? rows : 1;
            segments.Add(new BatchSegment(sequence, offset, rows, AttentionForm.Expanded, logitRows)
            {
                AbsorbedFromPosition = request.Prompt.Length,
            });
            if (completes)
            {
                // A verify keeps its rows' hidden states: the MTP slots of whatever gets accepted pair with them.
                float[]? verifyHidden = drafts[w].Length > 0 ? new float[rows * _hiddenSize] : null;
                if (verifyHidden is not null)
                    verifyRows.Add((verifyHidden, offset));
                sampled.Add(new Sampled(request, logitRow, drafts[w], start, verifyHidden));
            }
            logitRow += logitRows;
            offset += rows;
        }
        var batch = new ForwardBatch(tokens, positions, segments);
        var result = model.Forward(batch);
        if (keepMtpCache)
            ExtendMtp(work, drafts, batch, result.Hidden);
        foreach (var (keep, rowOffset) in verifyRows)
            result.Hidden.AsSpan(rowOffset * _hiddenSize, keep.Length).CopyTo(keep);
        return new Output(result.Logits, sampled);
    }

    /// <summary>
    /// Ends a speculative round once its tokens are chosen: the target cache keeps the root and the
    /// <paramref name="accepted"/> drafts, and their hidden states become the pending MTP slots that the next
    /// round's first draft step extends over.
    /// </summary>
    public void Settle(Sampled round, int accepted)
    {
        var request = round.Request;
        request.Sequence!.Truncate(round.RootPosition + accepted + 1);
        request.PendingMtpRows.Clear();
        for (int k = 0; k <= accepted; k++)
            request.PendingMtpRows.Add(round.VerifyHidden!.AsSpan(k * _hiddenSize, _hiddenSize).ToArray());
    }

    /// <summary>
    /// Drafts for every work item that asks for it, all draft steps batched across requests from one metadata
    /// build; the MTP cache is rolled back to the target's length afterwards (the slots of unverified drafts are
    /// recomputed from target states once accepted).
    /// </summary>
    private int[][] DraftAll(IReadOnlyList<StepWork> work)
    {
        var drafts = new int[work.Count][];
        var speculating = new List<int>();
        for (int w = 0; w < work.Count; w++)
        {
            drafts[w] = [];
            if (work[w].DraftCount > 0)
                speculating.Add(w);
        }
        if (speculating.Count == 0)
            return drafts;

        var metadata = BuildMetadata(work, speculating);
        int r = speculating.Count, d = _hiddenSize;
        var states = new float[r][];                                                    // per request: [d] what the next draft step pairs with
        for (int i = 0; i < r; i++)
            drafts[speculating[i]] = new int[work[speculating[i]].DraftCount];
        bool preNorm = speculative?.DraftState == MtpDraftState.PreNorm;
        for (int pass = 0; pass < metadata.VerifyPass; pass++)
        {
            var (first, rows) = metadata.PassRows(pass);
            var tokens = new int[rows];                                                 // [rows]
            var hidden = new float[rows * d];                                           // [rows, d]
            var segments = new List<BatchSegment>();
            var members = new List<int>();
            for (int i = 0; i < r; i++)
            {
                int count = metadata.RowCount(pass, i);
                if (count == 0)
                    continue;
                var request = work[speculating[i]].Request;
                int at = metadata.RowStart(pass, i) - first;
                for (int row = 0; row < count; row++)
                {
                    int position = metadata.Positions[first + at + row];
                    if (pass == 0)
                    {
                        // The pending slots: target state of position p with the token at p+1 (the root for the last).
                        tokens[at + row] = request.Tokens[position + 1];
                        request.PendingMtpRows[row].CopyTo(hidden.AsSpan((at + row) * d, d));
                    }
                    else
                    {
                        tokens[at + row] = drafts[speculating[i]][pass - 1];
                        states[i].CopyTo(hidden.AsSpan((at + row) * d, d));
                    }
                }
                segments.Add(new BatchSegment(request.Sequence!, at, count, AttentionForm.Expanded, 1)
                {
                    AbsorbedFromPosition = request.Prompt.Length,
                });
                members.Add(i);
            }
            var positions = metadata.Positions.AsSpan(first, rows).ToArray();
            var result = model.ForwardMtp(new ForwardBatch(tokens, positions, segments), hidden, preNorm);
            int vocab = model.Config.VocabSize;
            for (int m = 0; m < members.Count; m++)
            {
                int i = members[m];
                var segment = segments[m];
                // Drafts are the MTP's argmax whatever the request's sampling: a deterministic draft keeps verification exact.
                drafts[speculating[i]][pass] = TensorPrimitives.IndexOfMax(result.Logits.AsSpan(m * vocab, vocab));
                states[i] = result.Output.AsSpan((segment.Offset + segment.Count - 1) * d, d).ToArray();
            }
        }
        foreach (int w in speculating)
        {
            var request = work[w].Request;
            request.Sequence!.TruncateMtp(request.Sequence.Length);
            request.PendingMtpRows.Clear();
        }
        return drafts;
    }

    /// <summary>The round's metadata, and in page-verification mode a check that every row it writes lands in a page this request alone holds.</summary>
    private SpeculativeStepMetadata BuildMetadata(IReadOnlyList<StepWork> work, List<int> speculating)
    {
        int r = speculating.Count, stride = 0;
        var kvLengths = new int[r];
        var mtpLengths = new int[r];
        var draftCounts = new int[r];
        for (int i = 0; i < r; i++)
        {
            var (request, _, draftCount) = work[speculating[i]];
            kvLengths[i] = request.Sequence!.Length;
            mtpLengths[i] = request.Sequence.MtpLength;
            draftCounts[i] = draftCount;
            stride = Math.Max(stride, request.Kv!.Table.PageCount);
        }
        var table = new int[r * stride];
        Array.Fill(table, -1);
        for (int i = 0; i < r; i++)
        {
            var pages = work[speculating[i]].Request.Kv!.Table.Pages;
            for (int c = 0; c < pages.Count; c++)
                table[i * stride + c] = pages[c];
        }
        var metadata = SpeculativeStepMetadata.Build(kvLengths, mtpLengths, draftCounts, table, stride, pageSize);
        if (verifyPool is not null)
        {
            foreach (int slot in metadata.Slots)
            {
                if (verifyPool.RefCount(slot / pageSize) != 1)
                    throw new InvalidOperationException($"A speculative round would write KV slot {slot} in page {slot / pageSize}, which is shared (reference count {verifyPool.RefCount(slot / pageSize)}).");
            }
        }
        return metadata;
    }

    /// <summary>
    /// Runs the MTP layer over the slots a plain step made computable: the request's pending slots (their next
    /// tokens are known now) and every row of the chunk but the last, whose hidden state stays pending.
    /// Speculating requests are skipped: their drafting consumed their pending slots and <see cref="Settle"/> sets new ones.
    /// </summary>
    private void ExtendMtp(IReadOnlyList<StepWork> work, int[][] drafts, ForwardBatch batch, float[] hidden)
    {
        int d = _hiddenSize;
        var tokens = new List<int>();
        var positions = new List<int>();
        var rows = new List<float>();
        var segments = new List<BatchSegment>();
        for (int w = 0; w < work.Count; w++)
        {
            if (drafts[w].Length > 0)
                continue;
            var (request, count, _) = work[w];
            var segment = batch.Segments[w];
            int start = batch.Positions[segment.Offset], first = tokens.Count;
            int mtpLength = request.Sequence!.MtpLength;
            for (int j = 0; j < request.PendingMtpRows.Count; j++)
            {
                rows.AddRange(request.PendingMtpRows[j]);
                tokens.Add(request.Tokens[mtpLength + j + 1]);
                positions.Add(mtpLength + j);
            }
            for (int i = 0; i + 1 < count; i++)
            {
                rows.AddRange(hidden.AsSpan((segment.Offset + i) * d, d));
                tokens.Add(request.Tokens[start + i + 1]);
                positions.Add(start + i);
            }
            request.PendingMtpRows.Clear();
            request.PendingMtpRows.Add(hidden.AsSpan((segment.Offset + count - 1) * d, d).ToArray());
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
