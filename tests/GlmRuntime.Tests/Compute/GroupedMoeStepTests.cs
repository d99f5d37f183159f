using GlmRuntime.Compute.Cpu;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Compute;

/// <summary>
/// The grouped routed-expert step (all active experts in two team dispatches, int8 activations) against the general
/// path (three matmuls per expert through the same int8 kernel), which must give bitwise the same outputs, and the
/// cases where the grouped step must decline.
/// </summary>
[TestFixture]
public sealed class GroupedMoeStepTests
{
    private const int ExpertCount = 6, D = 128, Width = 192;

    [TestCase(1, 2, 1)]
    [TestCase(5, 3, 2)]
    [TestCase(17, 4, 3)]
    public void Grouped_step_equals_the_expert_by_expert_path(int tokens, int expertsPerToken, int threads)
    {
        RequireInt8();
        using var dir = new TempDirectory();
        using var set = new ExpertSet(dir, WeightFormat.Mxfp4);
        var experts = set.Experts;
        var random = new Random(tokens);
        float[] x = Enumerable.Range(0, tokens * D).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        // Each token's experts ascending (as the router returns them); expert 5 left unused by design.
        int[] chosen = new int[tokens * expertsPerToken];
        float[] gates = new float[chosen.Length];
        for (int t = 0; t < tokens; t++)
        {
            var picked = Enumerable.Range(0, ExpertCount - 1).OrderBy(_ => random.Next()).Take(expertsPerToken).Order().ToArray();
            for (int j = 0; j < expertsPerToken; j++)
            {
                chosen[t * expertsPerToken + j] = picked[j];
                gates[t * expertsPerToken + j] = (float)random.NextDouble();
            }
        }
        var parallel = new CpuParallel(threads, activations: CpuActivationPrecision.Int8);
        float[] grouped = Poisoned(tokens * D);
        Assert.That(GroupedMoeStep.TryRun(parallel, experts, x, chosen, gates, expertsPerToken, grouped), Is.True);
        float[] oneByOne = Poisoned(tokens * D);
        MoeKernels.ExpertsOneByOne(parallel, experts, x, chosen, gates, expertsPerToken, oneByOne);
        Assert.That(grouped, Is.EqualTo(oneByOne));

        // And close to float32 activations (the int8 rounding only).
        float[] exact = Poisoned(tokens * D);
        MoeKernels.Experts(new CpuParallel(threads), experts, x, chosen, gates, expertsPerToken, exact);
        Approx.AssertClose(grouped, exact, 5e-2, 5e-2, "int8 against float32 activations");
    }

    [Test]
    public void Grouped_step_declines_float32_activations_and_non_mxfp4_experts()
    {
        RequireInt8();
        using var dir = new TempDirectory();
        using (var bf16 = new ExpertSet(dir, WeightFormat.BF16))
        {
            float[] x = new float[D], y = Poisoned(D);
            int[] chosen = [0, 1];
            float[] gates = [0.5f, 0.5f];
            Assert.That(GroupedMoeStep.TryRun(new CpuParallel(1, activations: CpuActivationPrecision.Int8), bf16.Experts, x, chosen, gates, 2, y), Is.False, "bf16 experts");
            Assert.That(y.All(float.IsNaN), "nothing written when declining");
        }
        using var mxfp4 = new ExpertSet(dir, WeightFormat.Mxfp4);
        Assert.That(GroupedMoeStep.TryRun(new CpuParallel(1), mxfp4.Experts, new float[D], [0], [1f], 1, new float[D]), Is.False, "float32 activations");
    }

    /// <summary><see cref="ExpertCount"/> random experts of one format, each matrix in its own file.</summary>
    private sealed class ExpertSet : IDisposable
    {
        private readonly RandomLinearWeight[] _matrices;

        public ExpertSet(TempDirectory dir, WeightFormat format)
        {
            _matrices = Enumerable.Range(0, ExpertCount).SelectMany(e => new[]
            {
                RandomLinearWeight.Create(dir.File($"{format}-{e}-gate.safetensors"), format, Width, D, seed: (ulong)(10 * e + 1)),
                RandomLinearWeight.Create(dir.File($"{format}-{e}-up.safetensors"), format, Width, D, seed: (ulong)(10 * e + 2)),
                RandomLinearWeight.Create(dir.File($"{format}-{e}-down.safetensors"), format, D, Width, seed: (ulong)(10 * e + 3)),
            }).ToArray();
            Experts = _matrices.Chunk(3).Select(m => new MlpWeights(m[0].Weight, m[1].Weight, m[2].Weight)).ToArray();
        }

        public MlpWeights[] Experts { get; }

        public void Dispose()
        {
            foreach (var m in _matrices)
                m.Dispose();
        }
    }

    private static float[] Poisoned(int count)
    {
        var values = new float[count];
        Array.Fill(values, float.NaN);
        return values;
    }

    private static void RequireInt8()
    {
        if (!Int8Mxfp4Kernel.IsSupported || !CpuIsaDetection.IsSupported(CpuIsa.Avx2))
            Assert.Ignore("The int8 MXFP4 kernel needs AVX2 and FMA.");
    }
}
