namespace GlmRuntime.Speculative;

/// <summary>
/// Positions, KV slots and row offsets of every pass of one speculative round for the whole batch, prepared once
/// before the first draft step: the CPU counterpart of the GPU backend's fused MTP metadata kernel, which fills the
/// same arrays in the same layout.
/// </summary>
/// <remarks>
/// <para>R requests; S = the round's most draft steps; passes 0..S−1 are the draft steps, pass S is the verify.
/// Request r enters with target cache length L_r (its root token goes to position L_r), MTP cache length M_r ≤ L_r
/// and s_r ∈ [0, S] drafts:</para>
/// <list type="bullet">
/// <item>pass 0: MTP slots M_r..L_r−1 when s_r ≥ 1: the pending slots (draft-extend over the last accepted tokens),
/// whose last row drafts d₁;</item>
/// <item>pass k, 1 ≤ k &lt; S: MTP slot L_r+k−1 when s_r &gt; k, drafting d_{k+1};</item>
/// <item>pass S: target positions L_r..L_r+s_r (root and drafts) for every request.</item>
/// </list>
/// <para>Rows are flat, pass-major then request order. Rows of (pass p, request r) are
/// [<see cref="RowStarts"/>[p·R+r], <see cref="RowStarts"/>[p·R+r+1]). <see cref="Positions"/> and
/// <see cref="Slots"/> (page · PageSize + position mod PageSize, sglang's out_cache_loc) are per row;
/// <see cref="CacheLengths"/>[p·R+r] is the cache length after the pass (what its attention reads).</para>
/// </remarks>
internal sealed class SpeculativeStepMetadata
{
    private SpeculativeStepMetadata(int requestCount, int steps, int[] rowStarts, int[] positions, int[] slots, int[] cacheLengths)
    {
        RequestCount = requestCount;
        Steps = steps;
        RowStarts = rowStarts;
        Positions = positions;
        Slots = slots;
        CacheLengths = cacheLengths;
    }

    /// <summary>R.</summary>
    public int RequestCount { get; }

    /// <summary>S: draft passes; pass S is the verify.</summary>
    public int Steps { get; }

    /// <summary>[(S+1)·R + 1] prefix sums of rows per (pass, request).</summary>
    public int[] RowStarts { get; }

    /// <summary>[rows] absolute position of each row.</summary>
    public int[] Positions { get; }

    /// <summary>[rows] KV slot of each row: page · PageSize + position mod PageSize.</summary>
    public int[] Slots { get; }

    /// <summary>[(S+1)·R] cache length after each (pass, request).</summary>
    public int[] CacheLengths { get; }

    /// <summary>The verify pass.</summary>
    public int VerifyPass => Steps;

    /// <summary>First row of request <paramref name="request"/> in pass <paramref name="pass"/>.</summary>
    public int RowStart(int pass, int request) => RowStarts[pass * RequestCount + request];

    /// <summary>Rows of request <paramref name="request"/> in pass <paramref name="pass"/>.</summary>
    public int RowCount(int pass, int request) => RowStarts[pass * RequestCount + request + 1] - RowStarts[pass * RequestCount + request];

    /// <summary>Rows of pass <paramref name="pass"/>, all requests.</summary>
    public (int Start, int Count) PassRows(int pass) =>
        (RowStarts[pass * RequestCount], RowStarts[(pass + 1) * RequestCount] - RowStarts[pass * RequestCount]);

    /// <summary>Builds the metadata of one round.</summary>
    /// <param name="kvLengths">[R] L_r.</param>
    /// <param name="mtpLengths">[R] M_r.</param>
    /// <param name="drafts">[R] s_r.</param>
    /// <param name="pageTable">[R, <paramref name="pageTableStride"/>] page ids per request, −1 past its last page.</param>
    /// <param name="pageTableStride">Columns of <paramref name="pageTable"/>.</param>
    /// <param name="pageSize">Positions per page.</param>
    /// <exception cref="ArgumentException">Inconsistent lengths, or a row whose page the table does not hold.</exception>
    public static SpeculativeStepMetadata Build(ReadOnlySpan<int> kvLengths, ReadOnlySpan<int> mtpLengths, ReadOnlySpan<int> drafts,
        ReadOnlySpan<int> pageTable, int pageTableStride, int pageSize)
    {
        int r = kvLengths.Length;
        if (mtpLengths.Length != r || drafts.Length != r || pageTable.Length != r * pageTableStride)
            throw new ArgumentException($"Metadata inputs must describe {r} requests: got {mtpLengths.Length} MTP lengths, {drafts.Length} draft counts and a {pageTable.Length}-entry page table of stride {pageTableStride}.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        int steps = 0;
        for (int i = 0; i < r; i++)
        {
            if (drafts[i] < 0 || mtpLengths[i] < 0 || mtpLengths[i] > kvLengths[i] || (drafts[i] > 0 && mtpLengths[i] == kvLengths[i]))
                throw new ArgumentException($"Request {i}: cache length {kvLengths[i]}, MTP length {mtpLengths[i]} and {drafts[i]} drafts are inconsistent (drafting needs a pending MTP slot).");
            steps = Math.Max(steps, drafts[i]);
        }

        int passes = steps + 1;
        var rowStarts = new int[passes * r + 1];
        var lengths = new int[passes * r];
        for (int p = 0; p < passes; p++)
        {
            for (int i = 0; i < r; i++)
            {
                int at = p * r + i;
                int rows = RowsOf(p, steps, kvLengths[i], mtpLengths[i], drafts[i]);
                rowStarts[at + 1] = rowStarts[at] + rows;
                lengths[at] = p == steps ? kvLengths[i] + drafts[i] + 1
                    : rows > 0 ? FirstPosition(p, kvLengths[i], mtpLengths[i]) + rows
                    : 0;
            }
        }

        int total = rowStarts[^1];
        var positions = new int[total];
        var slots = new int[total];
        for (int p = 0; p < passes; p++)
        {
            for (int i = 0; i < r; i++)
            {
                int at = p * r + i, first = p == steps ? kvLengths[i] : FirstPosition(p, kvLengths[i], mtpLengths[i]);
                for (int row = rowStarts[at]; row < rowStarts[at + 1]; row++)
                {
                    int position = first + row - rowStarts[at], column = position / pageSize;
                    int page = column < pageTableStride ? pageTable[i * pageTableStride + column] : -1;
                    if (page < 0)
                        throw new ArgumentException($"Request {i}: position {position} (pass {p}) has no page; the table holds {PagesHeld(pageTable.Slice(i * pageTableStride, pageTableStride))} pages of {pageSize}.");
                    positions[row] = position;
                    slots[row] = page * pageSize + position % pageSize;
                }
            }
        }
        return new SpeculativeStepMetadata(r, steps, rowStarts, positions, slots, lengths);
    }

    private static int RowsOf(int pass, int steps, int kvLength, int mtpLength, int drafts) =>
        pass == steps ? drafts + 1
        : pass == 0 ? (drafts >= 1 ? kvLength - mtpLength : 0)
        : (drafts > pass ? 1 : 0);

    private static int FirstPosition(int pass, int kvLength, int mtpLength) => pass == 0 ? mtpLength : kvLength + pass - 1;

    private static int PagesHeld(ReadOnlySpan<int> row)
    {
        int count = 0;
        while (count < row.Length && row[count] >= 0)
            count++;
        return count;
    }
}
