using GlmRuntime.Native.Tuning;

namespace GlmRuntime.Native;

/// <summary>
/// <c>glm bench kernels</c>: part 2's kernels at GLM-5's shapes, with the device's copy bandwidth measured in the same
/// run. The grouped MoE (hidden 6144, expert width 2048, 256 experts, top-8) in MXFP4 and, as the baseline, BF16 at
/// 1, 8, 16, 32, 128 and 512 tokens, each with the configuration the kernel table gives (and whether it was tuned);
/// bytes are the active experts' weights plus x and y. Sparse MLA decode with 2,048 selected positions per query (64
/// heads, 512 + 64 latent) over paged float32, bf16 and fp8 latents; bytes are the selected rows, query and output.
/// <c>--quick</c> runs small shapes (a smoke test, e.g. on the emulator).
/// </summary>
internal static class GpuKernelBench
{
    public static GpuBench.Report Run(int deviceIndex, bool quick, string? kernelConfigFile, Action<string> log)
    {
        var info = GpuDiagnostics.Collect().GpuDevices.FirstOrDefault(d => d.Index == deviceIndex)
            ?? throw new InvalidOperationException($"GPU {deviceIndex} is not available; `glm diagnose` says what was found.");
        var table = KernelConfigTable.Load(kernelConfigFile);
        using var device = DeviceHandle.Create(deviceIndex);
        using var stream = StreamHandle.Create(device);
        using var timer = new GpuTimer(device, stream);
        int iterations = quick ? 2 : 20;
        double copyGbs = timer.CopyGigabytesPerSecond(quick ? 1L << 20 : 1L << 30, iterations);
        log($"copy: {copyGbs:F1} GB/s");
        var rows = new List<GpuBench.Row>();
        var extras = new Dictionary<string, object>();
        void Add(string key, string shape, double ms, double bytes)
        {
            double gbs = bytes / (ms * 1e6);
            rows.Add(new GpuBench.Row(key, shape, ms, bytes, gbs, gbs / copyGbs));
            log($"{key}: {ms * 1000:F1} µs, {gbs:F1} GB/s, {gbs / copyGbs:F2} of copy");
        }

        int[] tokenCounts = quick ? [1, 8, 32] : [1, 8, 16, 32, 128, 512];
        var moeMs = new Dictionary<(GlmrtDType, int), double>();
        foreach (var dtype in new[] { GlmrtDType.Mxfp4, GlmrtDType.BF16 })
        {
            using var layer = quick
                ? new SyntheticMoeLayer(device, stream, dtype, hidden: 256, intermediate: 128, expertCount: 16, expertsPerToken: 4, tokenCounts.Max())
                : new SyntheticMoeLayer(device, stream, dtype, hidden: 6144, intermediate: 2048, expertCount: 256, expertsPerToken: 8, tokenCounts.Max());
            string name = KernelConfigTable.DTypeName(dtype);
            foreach (int tokens in tokenCounts)
            {
                var config = table.FindMoe(info.Architecture, layer.Shape, tokens, layer.ExpertsPerToken, layer.Experts.ExpertCount, out var row, out _);
                double ms = layer.Time(timer, config, tokens, iterations);
                moeMs[(dtype, tokens)] = ms;
                Add($"moe_{name}_t{tokens}", $"{layer.Shape} x {tokens} ({layer.ActiveExperts(tokens)} experts)", ms, layer.MinimumBytes(tokens));
                extras[$"moe_{name}_t{tokens}_config"] = $"{config.TokensPerTile}x{config.RowsPerWarp}x{config.WarpsPerBlock} ({(row?.Source.Split(',')[0] ?? "untuned fallback")})";
            }
        }
        foreach (int tokens in tokenCounts)
            extras[$"moe_mxfp4_speedup_over_bf16_t{tokens}"] = moeMs[(GlmrtDType.BF16, tokens)] / moeMs[(GlmrtDType.Mxfp4, tokens)];

        foreach (var format in new[] { GlmrtKvFormat.F32, GlmrtKvFormat.BF16, GlmrtKvFormat.Fp8E4M3 })
        {
            foreach (int tokens in quick ? new[] { 1 } : [1, 16])
            {
                var (ms, bytes, shape) = SparseDecode(device, stream, timer, format, tokens, quick, iterations);
                Add($"sparse_mla_decode_{format.ToString().ToLowerInvariant()}_t{tokens}", shape, ms, bytes);
            }
        }
        return new GpuBench.Report($"[{info.Index}] {info.Name} ({info.Architecture})", copyGbs, rows) { Extras = extras };
    }

    private static (double Ms, double Bytes, string Shape) SparseDecode(DeviceHandle device, StreamHandle stream, GpuTimer timer,
        GlmrtKvFormat format, int tokens, bool quick, int iterations)
    {
        int heads = quick ? 8 : 64, rank = 512, rope = 64, selectedPerQuery = quick ? 256 : 2048, cached = 2 * selectedPerQuery, pageSize = 64;
        long rowBytes = (long)Glmrt.kv_row_bytes(format, rank, rope);
        var random = new Random(3);
        var pages = Enumerable.Range(0, cached / pageSize).OrderBy(_ => random.Next()).ToArray();
        var selected = new int[tokens * selectedPerQuery];
        for (int t = 0; t < tokens; t++)
        {
            var picked = Enumerable.Range(0, cached).OrderBy(_ => random.Next()).Take(selectedPerQuery).Order().ToArray();
            picked.CopyTo(selected, t * selectedPerQuery);
        }
        var positions = Enumerable.Repeat(cached - 1, tokens).ToArray();
        var pool = new byte[cached * rowBytes];
        random.NextBytes(pool);
        if (format == GlmrtKvFormat.F32)
            FillFloats(pool, random);
        else if (format == GlmrtKvFormat.BF16)
            for (int i = 1; i < pool.Length; i += 2) pool[i] = (byte)(0x3C | (pool[i] & 0x80)); // ±[2^-7, 2^-5): finite bf16
        else
            for (long r = 0; r < cached; r++) FillFp8Row(pool.AsSpan((int)(r * rowBytes), (int)rowBytes), rank);
        var query = new float[tokens * heads * (rank + rope)];
        for (int i = 0; i < query.Length; i++) query[i] = (float)(random.NextDouble() * 2 - 1);
        using var poolBuffer = DeviceBufferHandle.CreateFrom<byte>(device, stream, pool);
        using var pageBuffer = DeviceBufferHandle.CreateFrom<int>(device, stream, pages);
        using var selectedBuffer = DeviceBufferHandle.CreateFrom<int>(device, stream, selected);
        using var positionBuffer = DeviceBufferHandle.CreateFrom<int>(device, stream, positions);
        using var queryBuffer = DeviceBufferHandle.CreateFrom<float>(device, stream, query);
        using var output = DeviceBufferHandle.Create(device, (long)tokens * heads * rank * 4);
        var p = new GlmrtMlaAttentionParams
        {
            Heads = heads, KvRank = rank, RopeDim = rope, NopeDim = 192, ValueDim = 256, PageSize = pageSize, CachedCount = cached,
            SelectedPerQuery = selectedPerQuery, Scale = 0.05f,
        };
        double ms = timer.Milliseconds(() => Glmrt.sparse_mla_decode(stream, p, format, queryBuffer.Data, poolBuffer.Data, pageBuffer.Data,
            positionBuffer.Data, selectedBuffer.Data, tokens, output.Data), iterations);
        double bytes = (double)tokens * selectedPerQuery * rowBytes + (double)tokens * heads * (2 * rank + rope) * 4;
        return (ms, bytes, $"{heads} heads, {selectedPerQuery} of {cached} positions, {tokens} token(s), {format} latent");
    }

    private static void FillFloats(byte[] pool, Random random)
    {
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(pool.AsSpan());
        for (int i = 0; i < floats.Length; i++) floats[i] = (float)(random.NextDouble() * 2 - 1);
    }

    // e4m3 bytes without NaN, scales in [0.001, 0.01), bf16 tail of small normals.
    private static void FillFp8Row(Span<byte> row, int rank)
    {
        for (int i = 0; i < rank; i++) row[i] &= 0xBF;
        var scales = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(row.Slice(rank, (rank + 127) / 128 * 4));
        for (int i = 0; i < scales.Length; i++) scales[i] = 0.005f;
        for (int i = rank + scales.Length * 4 + 1; i < row.Length; i += 2) row[i] = (byte)(0x3C | (row[i] & 0x80));
    }

}
