using GlmRuntime.Model;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Model;

/// <summary>
/// The forward pass agrees with itself across its equivalent paths (MODEL.md §6.5): token-by-token decode and
/// chunked prefill against one full forward, absorbed against expanded MLA with and without the sparse mask.
/// </summary>
[TestFixture]
public sealed class ForwardEquivalenceTests
{
    private const double Tolerance = 1e-4;

    private static IEnumerable<string> Models => ["tiny-glm5", "tiny-glm5-dense-topk", "tiny-glm5-fp8", "tiny-glm5-sharded"];

    [TestCaseSource(nameof(Models))]
    public void Incremental_decode_equals_the_full_forward_at_every_position(string modelName)
    {
        using var golden = GoldenFile.Open(modelName);
        using var model = GlmModel.Load(golden.ModelDirectory);
        var tokens = golden.Ints($"prompt{golden.PromptCount - 1}.tokens");
        int vocab = model.Config.VocabSize;
        var full = model.Forward(model.CreateSequence(), tokens).Logits;

        var sequence = model.CreateSequence();
        for (int t = 0; t < tokens.Length; t++)
        {
            var step = model.Forward(sequence, tokens.AsSpan(t, 1), allLogits: false);
            Approx.AssertClose(step.Logits, full.AsSpan(t * vocab, vocab), Tolerance, Tolerance, $"position {t}");
        }
        Assert.That(sequence.Length, Is.EqualTo(tokens.Length));
    }

    [TestCaseSource(nameof(Models))]
    public void Chunked_prefill_equals_the_full_forward(string modelName)
    {
        using var golden = GoldenFile.Open(modelName);
        using var model = GlmModel.Load(golden.ModelDirectory);
        var tokens = golden.Ints($"prompt{golden.PromptCount - 1}.tokens");
        int vocab = model.Config.VocabSize, d = model.Config.HiddenSize;
        var full = model.Forward(model.CreateSequence(), tokens);

        var sequence = model.CreateSequence();
        int[] cuts = [0, 3, 10, tokens.Length];
        for (int c = 0; c + 1 < cuts.Length; c++)
        {
            var chunk = model.Forward(sequence, tokens.AsSpan(cuts[c], cuts[c + 1] - cuts[c]));
            Approx.AssertClose(chunk.Logits, full.Logits.AsSpan(cuts[c] * vocab, chunk.Logits.Length), Tolerance, Tolerance, $"chunk {c} logits");
            Approx.AssertClose(chunk.Hidden, full.Hidden.AsSpan(cuts[c] * d, chunk.Hidden.Length), Tolerance, 0, $"chunk {c} hidden");
        }
    }

    [TestCaseSource(nameof(Models))]
    public void A_batch_of_segments_gives_each_sequence_its_own_logits(string modelName)
    {
        using var golden = GoldenFile.Open(modelName);
        using var model = GlmModel.Load(golden.ModelDirectory);
        var tokens = golden.Ints($"prompt{golden.PromptCount - 1}.tokens");
        int vocab = model.Config.VocabSize;
        // Three sequences in one forward: a 5-token prefill wanting all its logits, a 4-token one wanting none, and a
        // 1-token decode after a 6-token cache wanting its last; the logits come back in segment order, one lm_head.
        var a = model.CreateSequence();
        var b = model.CreateSequence();
        var c = model.CreateSequence();
        model.Forward(c, tokens.AsSpan(0, 6), allLogits: false);
        int[] batchTokens = [.. tokens[..5], .. tokens[1..5], tokens[6]];
        int[] positions = [0, 1, 2, 3, 4, 0, 1, 2, 3, 6];
        var batch = new ForwardBatch(batchTokens, positions,
        [
            new BatchSegment(a, 0, 5, AttentionForm.Auto, 5),
            new BatchSegment(b, 5, 4, AttentionForm.Auto, 0),
            new BatchSegment(c, 9, 1, AttentionForm.Absorbed, 1),
        ]);
        var logits = model.Forward(batch).Logits;
        Assert.That(logits.Length, Is.EqualTo(6 * vocab));

        var alone = model.Forward(model.CreateSequence(), tokens.AsSpan(0, 5)).Logits;
        Approx.AssertClose(logits.AsSpan(0, 5 * vocab), alone, Tolerance, Tolerance, "sequence a");
        var cAlone = model.CreateSequence();
        model.Forward(cAlone, tokens.AsSpan(0, 6), allLogits: false);
        var step = model.Forward(cAlone, tokens.AsSpan(6, 1), allLogits: false).Logits;
        Approx.AssertClose(logits.AsSpan(5 * vocab, vocab), step, Tolerance, Tolerance, "sequence c");
        Assert.That(b.Length, Is.EqualTo(4), "sequence b's cache advanced without logits");
    }

    [TestCase("tiny-glm5", true)]
    [TestCase("tiny-glm5-fp8", true)]
    [TestCase("tiny-glm5-dense-topk", false)]
    public void Absorbed_mla_equals_expanded_mla(string modelName, bool sparse)
    {
        using var golden = GoldenFile.Open(modelName);
        using var model = GlmModel.Load(golden.ModelDirectory);
        var tokens = golden.Ints($"prompt{golden.PromptCount - 1}.tokens");
        var expandedTrace = new ForwardTrace();
        var expanded = model.Forward(model.CreateSequence(), tokens, form: AttentionForm.Expanded, trace: expandedTrace);
        var absorbed = model.Forward(model.CreateSequence(), tokens, form: AttentionForm.Absorbed);

        // The mask really is sparse (or really dense) for this model and prompt.
        var (selected, perQuery) = expandedTrace.Selections[0];
        bool dropsKeys = Enumerable.Range(0, tokens.Length).Any(t => selected.AsSpan(t * perQuery, perQuery).ToArray().Count(s => s >= 0) < t + 1);
        Assert.That(dropsKeys, Is.EqualTo(sparse));

        Approx.AssertClose(absorbed.Logits, expanded.Logits, Tolerance, Tolerance, "logits");
        Approx.AssertClose(absorbed.Hidden, expanded.Hidden, Tolerance, 0, "hidden");
        Assert.That(Approx.MaxAbsDifference(absorbed.Logits, expanded.Logits), Is.GreaterThan(0), "the two forms are distinct code paths");
    }

    [Test]
    public void A_failed_chunk_leaves_the_caches_where_they_were()
    {
        using var model = GlmModel.Load(SharedData.PathOf("models", "tiny-glm5"));
        var sequence = model.CreateSequence();
        model.Forward(sequence, [5, 6, 7]);
        var error = Assert.Throws<ArgumentException>(() => model.Forward(sequence, [8, model.Config.VocabSize]));
        Assert.That(error!.Message, Does.Contain("vocab_size"));
        Assert.That(sequence.Length, Is.EqualTo(3));
        Assert.That(sequence.Layers.Select(l => l.Count), Is.All.EqualTo(3));
    }

    [Test]
    public void The_sequence_limit_is_enforced_with_a_clear_error()
    {
        var weights = GlmRuntime.Weights.GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5"));
        using var model = new GlmModel(weights, new GlmRuntime.Compute.Cpu.CpuBackend(1), maxSequenceLength: 4);
        var sequence = model.CreateSequence();
        model.Forward(sequence, [2, 3, 4]);
        var error = Assert.Throws<InvalidOperationException>(() => model.Forward(sequence, [5, 6]));
        Assert.That(error!.Message, Does.Contain("limit is 4"));
        Assert.That(sequence.Length, Is.EqualTo(3));
    }
}
