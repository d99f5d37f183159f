using GlmRuntime.Checkpoints;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Weights;

public class GlmWeightsTests
{
    private static Dictionary<WeightFormat, int> FormatCounts(GlmWeights w) =>
        w.AllLinearWeights().GroupBy(x => x.Format).ToDictionary(g => g.Key, g => g.Count());

    [TestCaseSource(typeof(SharedData), nameof(SharedData.ModelNames))]
    public void EverySharedCheckpointBindsCompletely(string name)
    {
        var reports = new List<LoadProgress>();
        using var w = GlmWeights.Load(SharedData.PathOf("models", name), new SynchronousProgress<LoadProgress>(reports.Add));
        Assert.That(w.Layers, Has.Count.EqualTo(w.Config.NumHiddenLayers));
        Assert.That(w.Mtp, Is.Not.Null);
        Assert.That(w.Mtp!.EmbedTokens, Is.Null, "GLM-5 checkpoints carry no MTP embed copy");
        Assert.That(w.Warnings, Is.Empty, "every tensor is bound");
        Assert.That(reports[^1].TensorsDone, Is.EqualTo(w.Checkpoint.TensorCount));
        Assert.That(reports[^1].Fraction, Is.EqualTo(1.0));
        Assert.That(w.Layers[1].Moe!.CorrectionBias!.Values, Has.Length.EqualTo(w.Config.NRoutedExperts));
    }

    [Test]
    public void Bf16CheckpointIsAllBf16()
    {
        using var w = GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5"));
        Assert.That(FormatCounts(w).Keys, Is.EquivalentTo(new[] { WeightFormat.BF16 }));
        Assert.That(w.Disagreements, Is.Empty);
    }

    [Test]
    public void ShardedCheckpointReadsTheIndex()
    {
        using var w = GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5-sharded"));
        Assert.That(w.Checkpoint.Files, Has.Count.EqualTo(2));
        Assert.That(w.Config.NGroup, Is.EqualTo(2));
    }

    [Test]
    public void QuarkMxfp4KeepsExcludedAndMtpLayersBf16()
    {
        using var w = GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5-mxfp4"));
        var counts = FormatCounts(w);
        Assert.That(counts[WeightFormat.Mxfp4], Is.EqualTo(78));
        Assert.That(w.Mtp!.EhProj.Format, Is.EqualTo(WeightFormat.BF16));
        Assert.That(w.Mtp.Block.Attention.QAProj.Format, Is.EqualTo(WeightFormat.BF16));
        Assert.That(w.Layers[1].Moe!.Router.Format, Is.EqualTo(WeightFormat.BF16));
        Assert.That(w.Layers[0].Attention.Indexer!.WeightsProj.Format, Is.EqualTo(WeightFormat.BF16));
        Assert.That(w.Layers[0].Attention.KvBProj.Format, Is.EqualTo(WeightFormat.Mxfp4), "K = 16: one partial block");
        Assert.That(w.Disagreements, Is.Empty, "the exclude list names the MTP layer by its checkpoint prefix");
    }

    [Test]
    public void DecoderPrefixExcludeStillLoadsTheMtpLayerAsBf16AndFlagsIt()
    {
        using var w = GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5-mxfp4-decoder-prefix"));
        Assert.That(FormatCounts(w)[WeightFormat.Mxfp4], Is.EqualTo(78));
        Assert.That(w.Mtp!.EhProj.Format, Is.EqualTo(WeightFormat.BF16));
        Assert.That(w.Mtp.Block.Moe!.Experts.All(e => e.Down.Format == WeightFormat.BF16), Is.True);
        // The exclude list names the MTP layer model.decoder.*, so by name lookup the config expects all 37 MTP
        // Linears (eh_proj, 5 MLA, 3 indexer, router, 24 experts, 3 shared) in MXFP4; the checkpoint holds BF16.
        Assert.That(w.Disagreements.Select(d => d.Module), Has.All.StartWith("model.layers.3."));
        Assert.That(w.Disagreements.Select(d => d.Module), Does.Contain("model.layers.3.eh_proj"));
        Assert.That(w.Disagreements, Has.Count.EqualTo(37));
        Assert.That(w.Disagreements[0].ToString(), Does.Contain("global_quant_config").And.Contain("BF16"));
    }

    [Test]
    public void Fp8CheckpointQuantizesTheMtpLayerButNotEhProj()
    {
        using var w = GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5-fp8"));
        Assert.That(FormatCounts(w)[WeightFormat.Fp8Block], Is.EqualTo(54));
        Assert.That(w.Mtp!.EhProj.Format, Is.EqualTo(WeightFormat.BF16));
        Assert.That(w.Mtp.Block.Attention.QAProj.Format, Is.EqualTo(WeightFormat.Fp8Block));
        Assert.That(w.Disagreements, Is.Empty);
    }

    [Test]
    public void QuantizedWeightsStayPackedInTheMapping()
    {
        using var w = GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5-mxfp4"));
        long stored = w.AllLinearWeights().Sum(x => x.StoredBytes);
        Assert.That(stored, Is.LessThan(w.Checkpoint.FileBytes), "weights are views of the file, not fp32 copies");
        var m = (Mxfp4LinearWeight)w.Layers[1].Moe!.Experts[0].Up;
        Assert.That(m.StoredBytes, Is.EqualTo(32 * 32 + 32 * 2));
    }

    /// <summary>IProgress that reports inline (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
