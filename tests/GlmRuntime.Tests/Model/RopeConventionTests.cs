using GlmRuntime.Model;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Model;

/// <summary>
/// Guards a silent RoPE convention swap (MODEL.md §3.3, §6.5 item 4): GLM-5 rotates interleaved pairs in both
/// the MLA and the indexer; switching either path to half-split must change what the model computes.
/// </summary>
[TestFixture]
public sealed class RopeConventionTests
{
    [TestCase("rope_interleave")]
    [TestCase("indexer_rope_interleave")]
    public void Half_split_rope_gives_different_selections_and_logits(string key)
    {
        using var golden = GoldenFile.Open("tiny-glm5");
        using var variant = ModelVariants.WithConfig("tiny-glm5", c => c[key] = false);
        using var interleaved = GlmModel.Load(golden.ModelDirectory);
        using var halfSplit = GlmModel.Load(variant.Path);

        int p = golden.PromptCount - 1;
        var tokens = golden.Ints($"prompt{p}.tokens");
        var traceA = new ForwardTrace();
        var traceB = new ForwardTrace();
        var a = interleaved.Forward(interleaved.CreateSequence(), tokens, trace: traceA);
        var b = halfSplit.Forward(halfSplit.CreateSequence(), tokens, trace: traceB);

        Assert.That(Approx.MaxAbsDifference(a.Logits, b.Logits), Is.GreaterThan(1e-2), "logits must move");
        Approx.AssertClose(a.Logits, golden.Floats($"prompt{p}.logits"), 1e-4, 1e-4, "the interleaved model matches the oracle");
        if (key == "indexer_rope_interleave")
        {
            bool anySelectionDiffers = Enumerable.Range(0, interleaved.Config.NumHiddenLayers)
                .Any(i => !traceA.Selections[i].Selected.SequenceEqual(traceB.Selections[i].Selected));
            Assert.That(anySelectionDiffers, Is.True, "the indexer's top-k must change");
        }
    }
}
