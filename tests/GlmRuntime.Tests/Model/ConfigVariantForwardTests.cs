using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;
using GlmRuntime.Model;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Model;

/// <summary>
/// Config families without golden files of their own run and stay self-consistent: DeepSeek-V3.2 (YaRN, half-split
/// indexer RoPE, group-limited routing) and GLM-5.2 (layers sharing the previous indexer's selection).
/// </summary>
[TestFixture]
public sealed class ConfigVariantForwardTests
{
    private static IEnumerable<TestCaseData> Variants()
    {
        var tiny = TinyCheckpointWriter.TinyConfig();
        yield return new TestCaseData(tiny with
        {
            Rope = new RopeConfig(10000, "yarn", Factor: 4, OriginalMaxPositionEmbeddings: 16, BetaFast: 32, BetaSlow: 1, Mscale: 1, MscaleAllDim: 1),
            IndexerRopeInterleave = false,
            NGroup = 2,
            TopkGroup = 1,
        }).SetName("DeepSeek-V3.2 style");
        yield return new TestCaseData(tiny with { NumHiddenLayers = 4, IndexTopkFreq = 2, IndexSkipTopkOffset = 1 }).SetName("GLM-5.2 shared indexer");
    }

    [TestCaseSource(nameof(Variants))]
    public void Decode_equals_the_full_forward(GlmConfig config)
    {
        using var dir = new TempDirectory();
        TinyCheckpointWriter.Write(dir.Path, config);
        using var model = GlmModel.Load(dir.Path);
        int[] tokens = Enumerable.Range(0, 14).Select(i => 2 + (i * 53) % 250).ToArray();
        int vocab = model.Config.VocabSize;

        var trace = new ForwardTrace();
        var full = model.Forward(model.CreateSequence(), tokens, trace: trace);
        Assert.That(full.Logits.All(float.IsFinite), Is.True);
        for (int i = 0; i < model.Config.NumHiddenLayers; i++)
            Assert.That(trace.Selections.ContainsKey(i), Is.EqualTo(model.Config.HasFullIndexer(i)), $"layer {i} runs its own indexer");

        var sequence = model.CreateSequence();
        for (int t = 0; t < tokens.Length; t++)
        {
            var step = model.Forward(sequence, tokens.AsSpan(t, 1), allLogits: false);
            Approx.AssertClose(step.Logits, full.Logits.AsSpan(t * vocab, vocab), 1e-4, 1e-4, $"position {t}");
        }
        var mtp = model.ForwardMtp(sequence, full.Hidden.AsSpan(0, model.Config.HiddenSize * 3), tokens.AsSpan(1, 3));
        Assert.That(mtp.All(float.IsFinite), Is.True);
    }
}
