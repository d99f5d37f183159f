using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Compute.Cpu.Linear;
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

    [TestCase(WeightFormat.Mxfp4, 1)]
    [TestCase(WeightFormat.Mxfp4, 3)]
    [TestCase(WeightFormat.Fp8Block, 2)]
    [TestCase(WeightFormat.BF16, 2)]
    public void Register_decoded_head_products_equal_the_reference(WeightFormat format, int tokens)
    {
        if (!CpuIsaDetection.IsSupported(CpuIsa.Avx2))
            Assert.Ignore("No SIMD path on this CPU: the head products always take the reference.");
        // d_n = 41 leaves a single row after the MXFP4 path's row pairs; d_v = 36 leaves partial tiles of 4 and 16 rows;
        // r_kv = 128 is four chunks of 32.
        var shape = new MlaShape(Heads: 3, NopeDim: 41, RopeDim: 8, ValueDim: 36, KvRank: 128, Scale: 0.1f);
        using var dir = new TempDirectory();
        using var kvB = RandomLinearWeight.Create(dir.File("kv_b.safetensors"), format, shape.Heads * shape.KvBRowsPerHead, shape.KvRank, seed: 5);
        var random = new Random(11);
        float[] query = Random(random, tokens * shape.Heads * shape.QkHeadDim);
        float[] latent = Random(random, tokens * shape.Heads * shape.KvRank);
        var reference = new CpuParallel(1, CpuIsa.Portable);
        float[] expectedAbsorbed = new float[tokens * shape.Heads * shape.LatentDim];
        float[] expectedValues = new float[tokens * shape.Heads * shape.ValueDim];
        MlaKernels.AbsorbQuery(reference, kvB.Weight, shape, query, expectedAbsorbed);
        MlaKernels.ExpandValues(reference, kvB.Weight, shape, latent, expectedValues);
        foreach (var isa in new[] { CpuIsa.Avx512, CpuIsa.Avx2 }.Where(CpuIsaDetection.IsSupported))
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var parallel = new CpuParallel(threads, isa);
                float[] absorbed = new float[expectedAbsorbed.Length];
                float[] values = new float[expectedValues.Length];
                MlaKernels.AbsorbQuery(parallel, kvB.Weight, shape, query, absorbed);
                MlaKernels.ExpandValues(parallel, kvB.Weight, shape, latent, values);
                // Same weights and inputs; only fused multiply-adds and the order of the float32 sums differ.
                Approx.AssertClose(absorbed, expectedAbsorbed, 1e-5, 1e-4, $"absorbed query, {isa}, {threads} threads");
                Approx.AssertClose(values, expectedValues, 1e-5, 1e-4, $"expanded values, {isa}, {threads} threads");
            }
        }
        Assert.That(expectedAbsorbed.All(float.IsFinite) && expectedValues.All(float.IsFinite), "reference outputs are finite");
    }

    [Test]
    public void Int8_value_expansion_is_each_heads_int8_product()
    {
        if (!Int8Mxfp4Kernel.IsSupported)
            Assert.Ignore("The int8-activation kernel needs AVX2.");
        var shape = new MlaShape(Heads: 3, NopeDim: 40, RopeDim: 8, ValueDim: 36, KvRank: 128, Scale: 0.1f);
        const int tokens = 2;
        using var dir = new TempDirectory();
        using var kvB = RandomLinearWeight.Create(dir.File("kv_b.safetensors"), WeightFormat.Mxfp4, shape.Heads * shape.KvBRowsPerHead, shape.KvRank, seed: 6);
        float[] latent = Random(new Random(12), tokens * shape.Heads * shape.KvRank);
        var int8 = new CpuParallel(2, activations: CpuActivationPrecision.Int8);
        float[] values = new float[tokens * shape.Heads * shape.ValueDim];
        MlaKernels.ExpandValues(int8, kvB.Weight, shape, latent, values);
        float[] expected = new float[values.Length];
        for (int pair = 0; pair < tokens * shape.Heads; pair++)
        {
            int h = pair % shape.Heads;
            MatMulKernel.Multiply(int8, kvB.Weight, latent.AsSpan(pair * shape.KvRank, shape.KvRank), 1,
                expected.AsSpan(pair * shape.ValueDim, shape.ValueDim), h * shape.KvBRowsPerHead + shape.NopeDim, shape.ValueDim);
        }
        // The same int8 row kernel on the same quantized input: bit for bit.
        Assert.That(values, Is.EqualTo(expected));
        float[] exact = new float[values.Length];
        MlaKernels.ExpandValues(new CpuParallel(1, CpuIsa.Portable), kvB.Weight, shape, latent, exact);
        Assert.That(values, Is.Not.EqualTo(exact), "int8 activations must actually be in use");
    }

    private static float[] Random(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
