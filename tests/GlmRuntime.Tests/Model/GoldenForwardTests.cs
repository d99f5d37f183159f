using GlmRuntime.Model;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Model;

/// <summary>
/// Every model folder of ../shared/testdata/models against the logits, hidden states, per-layer outputs,
/// indexer selections, router choices and MTP logits that Hugging Face transformers computed for it.
/// </summary>
[TestFixtureSource(typeof(SharedData), nameof(SharedData.ModelNames))]
[Parallelizable(ParallelScope.None)]
public sealed class GoldenForwardTests(string modelName)
{
    private GoldenFile _golden = null!;
    private GlmModel _model = null!;

    [OneTimeSetUp]
    public void Load()
    {
        _golden = GoldenFile.Open(modelName);
        _model = GlmModel.Load(_golden.ModelDirectory);
    }

    [OneTimeTearDown]
    public void Unload()
    {
        _model?.Dispose();
        _golden?.Dispose();
    }

    private IEnumerable<int> Prompts => Enumerable.Range(0, _golden.PromptCount);

    [Test]
    public void Full_sequence_logits_hidden_and_layer_outputs_match()
    {
        foreach (int p in Prompts)
        {
            var tokens = _golden.Ints($"prompt{p}.tokens");
            var trace = new ForwardTrace();
            var result = _model.Forward(_model.CreateSequence(), tokens, allLogits: true, trace: trace);
            Approx.AssertClose(result.Logits, _golden.Floats($"prompt{p}.logits"), _golden.Tolerance("logits_atol"), _golden.Tolerance("logits_rtol"), $"prompt {p} logits");
            Approx.AssertClose(result.Hidden, _golden.Floats($"prompt{p}.hidden"), _golden.Tolerance("hidden_atol"), 0, $"prompt {p} hidden");
            for (int i = 0; i < _model.Config.NumHiddenLayers; i++)
                Approx.AssertClose(trace.LayerOutputs[i], _golden.Floats($"prompt{p}.layer{i}.out"), _golden.Tolerance("layer_out_atol"), 0, $"prompt {p} layer {i} output");
        }
    }

    [Test]
    public void Indexer_selections_and_router_choices_match()
    {
        foreach (int p in Prompts)
        {
            var tokens = _golden.Ints($"prompt{p}.tokens");
            var trace = new ForwardTrace();
            _model.Forward(_model.CreateSequence(), tokens, trace: trace);
            for (int i = 0; i < _model.Config.NumHiddenLayers; i++)
            {
                AssertSelection(trace.Selections[i], _golden.Ints($"prompt{p}.layer{i}.topk"), tokens.Length, $"prompt {p} layer {i} topk");
                if (_model.Config.IsMoeLayer(i))
                    AssertRouting(trace.Routing[i], $"prompt{p}.layer{i}", $"prompt {p} layer {i}");
                else
                    Assert.That(trace.Routing.ContainsKey(i), Is.False, $"dense layer {i} must not route");
            }
        }
    }

    [Test]
    public void Mtp_draft_logits_hidden_selection_and_routing_match()
    {
        Assert.That(_model.HasMtp, Is.True);
        int mtp = _model.Config.MtpLayerIndex;
        foreach (int p in Prompts)
        {
            var tokens = _golden.Ints($"prompt{p}.tokens");
            var sequence = _model.CreateSequence();
            var hidden = _model.Forward(sequence, tokens).Hidden;
            var trace = new ForwardTrace();
            var logits = _model.ForwardMtp(sequence, hidden, _golden.Ints($"prompt{p}.mtp_next_tokens"), trace);
            Approx.AssertClose(logits, _golden.Floats($"prompt{p}.mtp_logits"), _golden.Tolerance("mtp_logits_atol"), 0, $"prompt {p} mtp logits");
            Approx.AssertClose(trace.MtpHidden, _golden.Floats($"prompt{p}.mtp_hidden"), _golden.Tolerance("hidden_atol"), 0, $"prompt {p} mtp hidden");
            Approx.AssertClose(trace.LayerOutputs[mtp], _golden.Floats($"prompt{p}.mtp.out"), _golden.Tolerance("layer_out_atol"), 0, $"prompt {p} mtp out");
            AssertSelection(trace.Selections[mtp], _golden.Ints($"prompt{p}.mtp.topk"), tokens.Length, $"prompt {p} mtp topk");
            AssertRouting(trace.Routing[mtp], $"prompt{p}.mtp", $"prompt {p} mtp");
        }
    }

    [Test]
    public void Greedy_continuation_is_token_identical()
    {
        foreach (int p in Prompts)
        {
            var tokens = _golden.Ints($"prompt{p}.tokens");
            var expected = _golden.Ints($"prompt{p}.greedy");
            var greedyLogits = _golden.Floats($"prompt{p}.greedy_logits");
            int vocab = _model.Config.VocabSize;
            var sequence = _model.CreateSequence();
            var step = _model.Forward(sequence, tokens, allLogits: false);
            for (int s = 0; s < expected.Length; s++)
            {
                Approx.AssertClose(step.Logits, greedyLogits.AsSpan(s * vocab, vocab), _golden.Tolerance("logits_atol"), _golden.Tolerance("logits_rtol"), $"prompt {p} greedy step {s} logits");
                int next = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(step.Logits);
                Assert.That(next, Is.EqualTo(expected[s]), $"prompt {p} greedy step {s}");
                step = _model.Forward(sequence, [next], allLogits: false);
            }
        }
    }

    private static void AssertSelection((int[] Selected, int PerQuery) actual, int[] expected, int tokens, string what)
    {
        int k = expected.Length / tokens;
        Assert.That(actual.PerQuery, Is.EqualTo(k), $"{what}: width");
        for (int t = 0; t < tokens; t++)
        {
            var a = actual.Selected.AsSpan(t * k, k).ToArray().Where(x => x >= 0).Order().ToArray();
            var e = expected.AsSpan(t * k, k).ToArray().Where(x => x >= 0).Order().ToArray();
            Assert.That(a, Is.EqualTo(e), $"{what}: query {t}");
        }
    }

    private void AssertRouting((int[] Experts, float[] Weights) actual, string prefix, string what)
    {
        Assert.That(actual.Experts, Is.EqualTo(_golden.Ints($"{prefix}.experts")), $"{what} experts");
        Approx.AssertClose(actual.Weights, _golden.Floats($"{prefix}.expert_weights"), _golden.Tolerance("expert_weights_atol"), 0, $"{what} expert weights");
    }
}
