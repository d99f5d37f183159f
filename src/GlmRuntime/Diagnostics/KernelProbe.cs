using System.Diagnostics;
using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Weights;

namespace GlmRuntime.Diagnostics;

/// <summary>Times single kernels on their own, as achieved GB/s of weights read or GFLOP/s.</summary>
internal static class KernelProbe
{
    /// <summary>Median GB/s of weight bytes for y = W·x with one token.</summary>
    public static double GemvGbs(CpuParallel parallel, LinearWeight weight, int repetitions) =>
        weight.StoredBytes / Seconds(parallel, weight, 1, repetitions) / 1e9;

    /// <summary>Median GFLOP/s (2·T·N·K) for y = x·Wᵀ with <paramref name="tokens"/> rows.</summary>
    public static double GemmGflops(CpuParallel parallel, LinearWeight weight, int tokens, int repetitions) =>
        2.0 * tokens * weight.OutFeatures * weight.InFeatures / Seconds(parallel, weight, tokens, repetitions) / 1e9;

    private static double Seconds(CpuParallel parallel, LinearWeight weight, int tokens, int repetitions)
    {
        float[] x = RandomFloats(tokens * weight.InFeatures, 1);
        float[] y = new float[tokens * weight.OutFeatures];
        MachineProbe.WarmUp(() => MatMulKernel.Multiply(parallel, weight, x, tokens, y));   // JIT tiers, first-use checks, page faults
        return MachineProbe.Median(repetitions, () =>
        {
            // A GEMV is timed from DRAM, as in a model step: its weight (tens of MB) would otherwise partly stay in L3.
            if (tokens == 1)
                MachineProbe.EvictCaches();
            long start = Stopwatch.GetTimestamp();
            MatMulKernel.Multiply(parallel, weight, x, tokens, y);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        });
    }

    /// <summary>
    /// The routed-expert step of one MoE layer for <paramref name="tokens"/> tokens, each routed to the same first
    /// k experts: median GB/s of the chosen experts' weight bytes.
    /// </summary>
    public static double MoeStepGbs(CpuParallel parallel, MoeWeights moe, int expertsPerToken, int tokens, int repetitions)
    {
        int d = moe.Experts[0].Gate.InFeatures;
        float[] x = RandomFloats(tokens * d, 2);
        float[] y = new float[tokens * d];
        int[] chosen = new int[tokens * expertsPerToken];
        float[] weights = new float[chosen.Length];
        for (int i = 0; i < chosen.Length; i++)
        {
            chosen[i] = i % expertsPerToken;
            weights[i] = 1f / expertsPerToken;
        }
        long bytes = moe.Experts.Take(expertsPerToken).Sum(e => e.Gate.StoredBytes + e.Up.StoredBytes + e.Down.StoredBytes);
        MachineProbe.WarmUp(() => MoeKernels.Experts(parallel, moe.Experts, x, chosen, weights, expertsPerToken, y));
        return bytes / MachineProbe.Median(repetitions, () =>
        {
            MachineProbe.EvictCaches();   // the chosen experts' 13 MB would otherwise be read from L3
            long start = Stopwatch.GetTimestamp();
            MoeKernels.Experts(parallel, moe.Experts, x, chosen, weights, expertsPerToken, y);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }) / 1e9;
    }

    /// <summary>
    /// Absorbed (MQA) sparse MLA decode of one token over <paramref name="selected"/> of <paramref name="cached"/>
    /// latent rows: median GFLOP/s, counting 2·H·k·(r_kv + d_r) for the scores and 2·H·k·r_kv for the output.
    /// </summary>
    public static double SparseAttentionGflops(CpuParallel parallel, MlaShape shape, int cached, int selected, int repetitions)
    {
        float[] cache = RandomFloats(cached * shape.LatentDim, 3);
        float[] query = RandomFloats(shape.Heads * shape.LatentDim, 4);
        float[] output = new float[shape.Heads * shape.KvRank];
        int[] selection = Enumerable.Range(0, selected).Select(i => (int)((long)i * cached / selected)).ToArray();
        double flops = 2.0 * shape.Heads * selected * (shape.LatentDim + shape.KvRank);
        MachineProbe.WarmUp(() => MlaKernels.AttentionAbsorbed(parallel, shape, query, cache, new AttentionMask([cached - 1], selection, selected), output));
        return flops / MachineProbe.Median(repetitions, () =>
        {
            var mask = new AttentionMask([cached - 1], selection, selected);   // a ref struct: built per sample
            long start = Stopwatch.GetTimestamp();
            MlaKernels.AttentionAbsorbed(parallel, shape, query, cache, mask, output);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }) / 1e9;
    }

    /// <summary>The indexer's scores and top-k for one query over <paramref name="cached"/> keys: median GFLOP/s of 2·S·H_I·D_I.</summary>
    public static double IndexerGflops(CpuParallel parallel, int heads, int headDim, int cached, int topK, int repetitions)
    {
        float[] keys = RandomFloats(cached * headDim, 5);
        float[] query = RandomFloats(heads * headDim, 6);
        float[] headWeights = RandomFloats(heads, 7);
        int[] selected = new int[topK];
        int[] positions = [cached - 1];
        MachineProbe.WarmUp(() => IndexerKernel.TopK(parallel, query, headWeights, keys, heads, headDim, positions, topK, selected));
        return 2.0 * cached * heads * headDim / MachineProbe.Median(repetitions, () =>
        {
            long start = Stopwatch.GetTimestamp();
            IndexerKernel.TopK(parallel, query, headWeights, keys, heads, headDim, positions, topK, selected);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }) / 1e9;
    }

    internal static float[] RandomFloats(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
