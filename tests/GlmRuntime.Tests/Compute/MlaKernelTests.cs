using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Compute;

/// <summary>
/// Absorbed and expanded MLA on random activations against a real kv_b_proj (MODEL.md §3.4 equivalence test),
/// dense and sparse, and DSA with every key selected against dense causal attention.
/// </summary>
[TestFixture]
public sealed class MlaKernelTests
{
    private static readonly CpuParallel Parallel = new(2);

    [TestCase("tiny-glm5", false)]
    [TestCase("tiny-glm5", true)]
    [TestCase("tiny-glm5-mxfp4", true)]
    [TestCase("tiny-glm5-fp8", true)]
    public void Absorbed_equals_expanded(string modelName, bool sparse)
    {
        using var weights = GlmWeights.Load(SharedData.PathOf("models", modelName));
        var c = weights.Config;
        var kvB = weights.Layers[1].Attention.KvBProj;
        var shape = new MlaShape(c.NumAttentionHeads, c.QkNopeHeadDim, c.QkRopeHeadDim, c.VHeadDim, c.KvLoraRank, (float)c.SoftmaxScale);
        const int cached = 9, tokens = 3;
        var random = new Random(7);
        float[] cache = Random(random, cached * shape.LatentDim);
        float[] query = Random(random, tokens * shape.Heads * shape.QkHeadDim);
        int[] positions = [6, 7, 8];
        int[] selection = [0, 2, 6, -1, /* 7 */ 1, 3, 5, 7, /* 8 */ 8, 4, 0, -1];
        var mask = sparse ? new AttentionMask(positions, selection, 4) : new AttentionMask(positions);

        float[] absorbed = new float[tokens * shape.Heads * shape.LatentDim];
        float[] latentOut = new float[tokens * shape.Heads * shape.KvRank];
        float[] viaAbsorbed = new float[tokens * shape.Heads * shape.ValueDim];
        MlaKernels.AbsorbQuery(Parallel, kvB, shape, query, absorbed);
        MlaKernels.AttentionAbsorbed(Parallel, shape, absorbed, cache, mask, latentOut);
        MlaKernels.ExpandValues(Parallel, kvB, shape, latentOut, viaAbsorbed);

        float[] compact = new float[cached * shape.KvRank];
        for (int s = 0; s < cached; s++)
            cache.AsSpan(s * shape.LatentDim, shape.KvRank).CopyTo(compact.AsSpan(s * shape.KvRank));
        float[] expandedKv = new float[cached * shape.Heads * shape.KvBRowsPerHead];
        MatMulKernel.Multiply(Parallel, kvB, compact, cached, expandedKv);
        float[] viaExpanded = new float[viaAbsorbed.Length];
        MlaKernels.AttentionExpanded(Parallel, shape, query, expandedKv, cache, mask, viaExpanded);

        Approx.AssertClose(viaAbsorbed, viaExpanded, 1e-5, 1e-4, "head outputs");
    }

    [Test]
    public void Selecting_every_causal_key_equals_dense_attention()
    {
        var shape = new MlaShape(Heads: 2, NopeDim: 4, RopeDim: 2, ValueDim: 4, KvRank: 4, Scale: 0.4f);
        var random = new Random(3);
        const int cached = 5;
        float[] cache = Random(random, cached * shape.LatentDim);
        float[] query = Random(random, 2 * shape.Heads * shape.LatentDim);
        int[] positions = [3, 4];
        int[] all = [3, 0, 2, 1, -1, /* 4 */ 0, 1, 2, 3, 4]; // every key ≤ t, in any order, padded
        float[] dense = new float[2 * shape.Heads * shape.KvRank];
        float[] sparse = new float[dense.Length];
        MlaKernels.AttentionAbsorbed(Parallel, shape, query, cache, new AttentionMask(positions), dense);
        MlaKernels.AttentionAbsorbed(Parallel, shape, query, cache, new AttentionMask(positions, all, 5), sparse);
        Approx.AssertClose(sparse, dense, 1e-6, 1e-6, "outputs");

        int[] fewer = [3, 0, -1, -1, -1, /* 4 */ 0, 1, 2, 3, 4];
        MlaKernels.AttentionAbsorbed(Parallel, shape, query, cache, new AttentionMask(positions, fewer, 5), sparse);
        Assert.That(Approx.MaxAbsDifference(sparse.AsSpan(0, shape.Heads * shape.KvRank), dense.AsSpan(0, shape.Heads * shape.KvRank)), Is.GreaterThan(1e-4),
            "dropping keys must change the output");
    }

    [Test]
    public void A_selected_key_after_the_query_is_never_attended()
    {
        var shape = new MlaShape(1, 2, 2, 2, 2, 1f);
        float[] cache = [1, 0, 0, 0, /* 1 */ 0, 1, 0, 0, /* 2 */ 100, 100, 0, 0];
        float[] query = [1, 1, 0, 0];
        float[] output = new float[2];
        MlaKernels.AttentionAbsorbed(Parallel, shape, query, cache, new AttentionMask([1], [0, 1, 2], 3), output);
        Assert.That(output, Is.EqualTo(new[] { 0.5f, 0.5f }).Within(1e-6));
    }

    private static float[] Random(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
