using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Native;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Gpu.Tests;

/// <summary>
/// Both absorbed-attention kernels called directly over a latent pool of shuffled pages (the backend always passes one
/// contiguous page, so only these calls exercise the page table), against the CPU backend on the same rows in order.
/// </summary>
[Category("Gpu")]
[Parallelizable(ParallelScope.None)]
public sealed class GpuPagedAttentionTests : DeviceFixture
{
    [TestCase(false)]
    [TestCase(true)]
    public unsafe void Simple_and_sparse_decode_read_positions_through_the_page_table(bool sparse)
    {
        var shape = new MlaShape(Heads: 10, NopeDim: 16, RopeDim: 8, ValueDim: 16, KvRank: 48, Scale: 0.15f);
        const int cached = 45, pageSize = 8, perQuery = 20;
        int[] pageTable = [5, 0, 3, 1, 4, 2]; // position s lives in pool page pageTable[s / 8]
        int[] positions = [44, 17, 0];
        var random = new Random(41);
        int latent = shape.LatentDim;
        var cache = new float[cached * latent];
        for (int i = 0; i < cache.Length; i++)
            cache[i] = (float)(random.NextDouble() * 2 - 1);
        var pool = new float[pageTable.Length * pageSize * latent];
        for (int s = 0; s < cached; s++)
            cache.AsSpan(s * latent, latent).CopyTo(pool.AsSpan((pageTable[s / pageSize] * pageSize + s % pageSize) * latent));
        var query = new float[positions.Length * shape.Heads * latent];
        for (int i = 0; i < query.Length; i++)
            query[i] = (float)(random.NextDouble() * 2 - 1);
        var selected = new int[positions.Length * perQuery];
        for (int i = 0; i < selected.Length; i++)
            selected[i] = random.Next(-2, cached);

        var expected = new float[positions.Length * shape.Heads * shape.KvRank];
        var mask = sparse ? new AttentionMask(positions, selected, perQuery) : new AttentionMask(positions);
        new CpuBackend(1, CpuIsa.Portable).MlaAttentionAbsorbed(shape, query, cache, mask, expected);

        var p = new GlmrtMlaAttentionParams
        {
            Heads = shape.Heads, KvRank = shape.KvRank, RopeDim = shape.RopeDim, NopeDim = shape.NopeDim, ValueDim = shape.ValueDim,
            PageSize = pageSize, CachedCount = cached, SelectedPerQuery = sparse ? perQuery : 0, Scale = shape.Scale,
        };
        long poolBytes = pool.Length * 4L, queryBytes = query.Length * 4L, intsBytes = (pageTable.Length + positions.Length + selected.Length) * 4L;
        long outBytes = expected.Length * 4L;
        using var buffer = DeviceBufferHandle.Create(Device, poolBytes + queryBytes + intsBytes + 2 * outBytes);
        int[] ints = [.. pageTable, .. positions, .. selected];
        fixed (float* source = pool)
            Glmrt.Check(Glmrt.copy_to_device(Stream, buffer, 0, source, (ulong)poolBytes));
        fixed (float* source = query)
            Glmrt.Check(Glmrt.copy_to_device(Stream, buffer, (ulong)poolBytes, source, (ulong)queryBytes));
        fixed (int* source = ints)
            Glmrt.Check(Glmrt.copy_to_device(Stream, buffer, (ulong)(poolBytes + queryBytes), source, (ulong)intsBytes));
        Glmrt.Check(Glmrt.buffer_fill(Stream, buffer, (ulong)(poolBytes + queryBytes + intsBytes), (ulong)(2 * outBytes), 0xFF)); // NaN
        nint poolAt = buffer.Data, queryAt = poolAt + (nint)poolBytes, tableAt = queryAt + (nint)queryBytes;
        nint positionsAt = tableAt + pageTable.Length * 4, selectedAt = positionsAt + positions.Length * 4;
        nint simpleAt = tableAt + (nint)intsBytes, sparseAt = simpleAt + (nint)outBytes;
        Glmrt.Check(Glmrt.mla_attention_decode_f32(Stream, p, queryAt, poolAt, tableAt, positionsAt, sparse ? selectedAt : 0, positions.Length, simpleAt));
        Glmrt.Check(Glmrt.sparse_mla_decode_f32(Stream, p, queryAt, poolAt, tableAt, positionsAt, sparse ? selectedAt : 0, positions.Length, sparseAt));
        var results = new float[2 * expected.Length];
        fixed (float* target = results)
            Glmrt.Check(Glmrt.copy_to_host(Stream, target, buffer, (ulong)(poolBytes + queryBytes + intsBytes), (ulong)(2 * outBytes)));
        Glmrt.Check(Glmrt.stream_synchronize(Stream));

        Approx.AssertClose(results.AsSpan(0, expected.Length), expected, 1e-5, 1e-4, $"simple decode over pages, sparse={sparse}");
        Approx.AssertClose(results.AsSpan(expected.Length), expected, 1e-5, 1e-4, $"sparse decode over pages, sparse={sparse}");
    }
}
