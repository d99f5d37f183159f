using GlmRuntime.Checkpoints;
using GlmRuntime.Diagnostics;
using GlmRuntime.Tests.Cli;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Compute;

/// <summary>The synthetic GLM-5-shaped preset, the active-bytes count behind the decode roofline, and <c>glm bench</c>'s argument errors.</summary>
[TestFixture]
public sealed class SyntheticModelTests
{
    [Test]
    public void The_preset_has_glm5s_structure_at_a_small_size()
    {
        var c = TinyCheckpointWriter.SyntheticGlm5Config();
        Assert.Multiple(() =>
        {
            Assert.That(c.HiddenSize, Is.EqualTo(2048));
            Assert.That(c.NumHiddenLayers, Is.EqualTo(6));
            Assert.That(c.FirstKDenseReplace, Is.EqualTo(1));
            Assert.That((c.NRoutedExperts, c.NumExpertsPerTok, c.MoeIntermediateSize, c.NSharedExperts), Is.EqualTo((64, 8, 512, 1)));
            Assert.That((c.KvLoraRank, c.QkNopeHeadDim, c.QkRopeHeadDim, c.VHeadDim), Is.EqualTo((512, 192, 64, 256)), "GLM-5's MLA head dims");
            Assert.That(c.IndexTopK, Is.EqualTo(256));
        });
    }

    [Test]
    public void Active_bytes_count_k_of_e_experts_and_every_other_main_layer_matrix()
    {
        using var weights = GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5-mxfp4"));
        var c = weights.Config;
        long experts = 0, others = 0;
        foreach (var w in weights.AllLinearWeights())
        {
            if (ReferenceEquals(w, weights.Embedding) || w.Name.Contains($".layers.{c.NumHiddenLayers}.", StringComparison.Ordinal))
                continue;
            if (w.Name.Contains(".mlp.experts.", StringComparison.Ordinal))
                experts += w.StoredBytes;
            else
                others += w.StoredBytes;
        }
        double expected = others + experts * (double)c.NumExpertsPerTok / c.NRoutedExperts + weights.Embedding.StoredBytes / (double)c.VocabSize;
        Assert.That(SyntheticModelProbe.ActiveBytesPerToken(weights), Is.EqualTo((long)expected));
        Assert.That(experts, Is.GreaterThan(0), "the count saw the routed experts");
    }

    [Test]
    public void Bench_rejects_unknown_benchmarks_and_bad_thread_counts()
    {
        var (code, _, err) = CliRunner.Run("", "bench", "tpu");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("unknown benchmark 'tpu' (cpu, serve, quantize, gpu or kernels)"));
        (code, _, err) = CliRunner.Run("", "bench", "cpu", "--threads", "0");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--threads"));
    }
}
