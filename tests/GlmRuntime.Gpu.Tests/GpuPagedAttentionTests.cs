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

    [TestCase(KvCacheDType.BFloat16)]
    [TestCase(KvCacheDType.Float8E4M3)]
    [TestCase(KvCacheDType.Float32)]
    public unsafe void Sparse_decode_reads_bf16_and_fp8_latent_pages(KvCacheDType dtype)
    {
        var format = dtype switch { KvCacheDType.BFloat16 => GlmrtKvFormat.BF16, KvCacheDType.Float8E4M3 => GlmrtKvFormat.Fp8E4M3, _ => GlmrtKvFormat.F32 };
        // FlashMLA's fp8 row: r_kv e4m3 bytes, r_kv/128 float32 scales, then k_rope in bf16 (KvRowCodec); r_kv 200 leaves
        // a partial scale group and rows whose scales are not 4-byte aligned.
        var shape = new MlaShape(Heads: 9, NopeDim: 16, RopeDim: 8, ValueDim: 16, KvRank: 200, Scale: 0.1f);
        const int cached = 30, pageSize = 8, perQuery = 17;
        int[] pageTable = [2, 0, 3, 1];
        int[] positions = [29, 11];
        var random = new Random(43);
        int latent = shape.LatentDim;
        int rowBytes = Kv.KvRowCodec.RowBytes(dtype, latent, shape.KvRank);
        Assert.That((ulong)rowBytes, Is.EqualTo(Glmrt.kv_row_bytes(format, shape.KvRank, shape.RopeDim)), "glmrt_kv_row_bytes agrees with KvRowCodec");
        var pool = new byte[pageTable.Length * pageSize * rowBytes];
        var decoded = new float[cached * latent]; // what the pages hold, as the CPU backend reads them
        var row = new float[latent];
        for (int s = 0; s < cached; s++)
        {
            for (int i = 0; i < latent; i++)
                row[i] = (float)(random.NextDouble() * 4 - 2);
            var bytes = pool.AsSpan((pageTable[s / pageSize] * pageSize + s % pageSize) * rowBytes, rowBytes);
            Kv.KvRowCodec.Encode(dtype, row, bytes, shape.KvRank);
            Kv.KvRowCodec.Decode(dtype, bytes, decoded.AsSpan(s * latent, latent), shape.KvRank);
        }
        var query = new float[positions.Length * shape.Heads * latent];
        for (int i = 0; i < query.Length; i++)
            query[i] = (float)(random.NextDouble() * 2 - 1);
        var selected = new int[positions.Length * perQuery];
        for (int i = 0; i < selected.Length; i++)
            selected[i] = random.Next(-1, cached);
        var expected = new float[positions.Length * shape.Heads * shape.KvRank];
        new CpuBackend(1, CpuIsa.Portable).MlaAttentionAbsorbed(shape, query, decoded, new AttentionMask(positions, selected, perQuery), expected);

        var p = new GlmrtMlaAttentionParams
        {
            Heads = shape.Heads, KvRank = shape.KvRank, RopeDim = shape.RopeDim, NopeDim = shape.NopeDim, ValueDim = shape.ValueDim,
            PageSize = pageSize, CachedCount = cached, SelectedPerQuery = perQuery, Scale = shape.Scale,
        };
        int[] ints = [.. pageTable, .. positions, .. selected];
        using var poolBuffer = DeviceBufferHandle.Create(Device, pool.Length);
        using var queryBuffer = DeviceBufferHandle.Create(Device, query.Length * 4L);
        using var intBuffer = DeviceBufferHandle.Create(Device, ints.Length * 4L);
        using var output = DeviceBufferHandle.Create(Device, expected.Length * 4L);
        fixed (byte* source = pool)
            Glmrt.Check(Glmrt.copy_to_device(Stream, poolBuffer, 0, source, (ulong)pool.Length));
        fixed (float* source = query)
            Glmrt.Check(Glmrt.copy_to_device(Stream, queryBuffer, 0, source, (ulong)(query.Length * 4L)));
        fixed (int* source = ints)
            Glmrt.Check(Glmrt.copy_to_device(Stream, intBuffer, 0, source, (ulong)(ints.Length * 4L)));
        Glmrt.Check(Glmrt.buffer_fill(Stream, output, 0, (ulong)(expected.Length * 4L), 0xFF));
        nint tableAt = intBuffer.Data, positionsAt = tableAt + pageTable.Length * 4, selectedAt = positionsAt + positions.Length * 4;
        Glmrt.Check(Glmrt.sparse_mla_decode(Stream, p, format, queryBuffer.Data, poolBuffer.Data, tableAt, positionsAt, selectedAt, positions.Length, output.Data));
        var result = new float[expected.Length];
        fixed (float* target = result)
            Glmrt.Check(Glmrt.copy_to_host(Stream, target, output, 0, (ulong)(result.Length * 4L)));
        Glmrt.Check(Glmrt.stream_synchronize(Stream));
        Approx.AssertClose(result, expected, 1e-5, 1e-4, $"sparse decode over {format} pages");
    }
}
