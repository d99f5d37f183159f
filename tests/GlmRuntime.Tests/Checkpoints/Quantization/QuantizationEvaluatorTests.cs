using System.Text.Json;
using GlmRuntime.Checkpoints;
using GlmRuntime.Checkpoints.Quantization;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Checkpoints.Quantization;

[TestFixture]
public sealed class QuantizationEvaluatorTests
{
    private static string Model(string name) => SharedData.PathOf("models", name);

    [Test]
    public void A_checkpoint_against_itself_has_zero_kl_and_full_agreement()
    {
        var prompts = QuantizationEvaluator.RandomPrompts(256, count: 3, length: 12);
        var result = QuantizationEvaluator.Evaluate(Model("tiny-glm5"), Model("tiny-glm5"), prompts, greedyTokens: 6);
        Assert.Multiple(() =>
        {
            Assert.That((result.Sequences, result.Positions), Is.EqualTo((3, 36)));
            Assert.That(result.MeanKl, Is.Zero);
            Assert.That(result.MaxKl, Is.Zero);
            Assert.That(result.Top1Agreement, Is.EqualTo(1));
            Assert.That(result.IndexerTopKDifferRate, Is.Zero);
            Assert.That(result.RouterDifferRate, Is.Zero);
            Assert.That(result.IndexerQueries, Is.EqualTo(3 * 12 * 3), "every query of the three main layers");
            Assert.That(result.RoutedTokens, Is.EqualTo(3 * 12 * 2), "two MoE layers");
            Assert.That((result.GreedyPrefixAgreement, result.GreedyExactMatchRate), Is.EqualTo((1.0, 1.0)));
        });
    }

    [Test]
    public void Mxfp4_against_bf16_on_the_golden_prompts_reproduces_the_reference_counts()
    {
        // golden.json → checks.vs_reference_model: the same prompts run through Hugging Face transformers on
        // tiny-glm5-mxfp4 and on its BF16 source. Every prompt was kept only with margins ≥ 1e-3, so the discrete
        // choices (argmax, indexer keys, experts, greedy tokens) must come out the same here.
        using var golden = SafetensorsFile.Open(SharedData.PathOf("models", "tiny-glm5-mxfp4", "golden.safetensors"));
        int[] Ints(string name) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(golden.GetBytes(golden.GetInfo(name))).ToArray();
        var prompts = Enumerable.Range(0, 10).Select(p => Ints($"prompt{p}.tokens")).ToList();
        var checks = JsonDocument.Parse(File.ReadAllText(SharedData.PathOf("models", "tiny-glm5-mxfp4", "golden.json")))
            .RootElement.GetProperty("checks").GetProperty("vs_reference_model");
        int Check(string name) => checks.GetProperty(name).GetInt32();
        int PerLayer(string layer, string name) => checks.GetProperty("per_layer").GetProperty(layer).GetProperty(name).GetInt32();

        var result = QuantizationEvaluator.Evaluate(Model("tiny-glm5"), Model("tiny-glm5-mxfp4"), prompts, greedyTokens: 12);

        Assert.That(result.Positions, Is.EqualTo(Check("prompt_positions_total")));
        Assert.That(Math.Round((1 - result.Top1Agreement) * result.Positions), Is.EqualTo(Check("prompt_positions_with_different_argmax")));
        int topkDiffering = PerLayer("layer0", "topk_rows_differing") + PerLayer("layer1", "topk_rows_differing") + PerLayer("layer2", "topk_rows_differing");
        Assert.That(result.IndexerQueries, Is.EqualTo(3 * result.Positions));
        Assert.That(Math.Round(result.IndexerTopKDifferRate * result.IndexerQueries), Is.EqualTo(topkDiffering));
        int expertsDiffering = PerLayer("layer1", "expert_rows_differing") + PerLayer("layer2", "expert_rows_differing");
        Assert.That(result.RoutedTokens, Is.EqualTo(2 * result.Positions));
        Assert.That(Math.Round(result.RouterDifferRate * result.RoutedTokens), Is.EqualTo(expertsDiffering));
        Assert.That(Math.Round((1 - result.GreedyTokenAgreement) * 120), Is.EqualTo(Check("greedy_tokens_differing")));
        Assert.That(Math.Round((1 - result.GreedyExactMatchRate) * 10), Is.EqualTo(Check("prompts_with_different_greedy")));
        Assert.That(result.MeanKl, Is.GreaterThan(0));
        Assert.That(result.P99Kl, Is.LessThanOrEqualTo(result.MaxKl));
    }

    [Test]
    public void Kl_divergence_is_computed_from_the_softmaxes()
    {
        float[] p = [0f, MathF.Log(3)], q = [5f, 5f];
        double expected = 0.25 * Math.Log(0.5) + 0.75 * Math.Log(1.5);
        Assert.That(QuantizationEvaluator.KlDivergence(p, q), Is.EqualTo(expected).Within(1e-6));
        Assert.That(QuantizationEvaluator.KlDivergence(p, p), Is.Zero);
    }

    [Test]
    public void The_cli_prints_a_table_or_json()
    {
        var table = new StringWriter();
        Assert.That(GlmRuntime.Cli.GlmCommand.Run(["eval-quant", "--reference", Model("tiny-glm5"), "--candidate", Model("tiny-glm5-mxfp4"),
            "--count", "2", "--length", "8", "--greedy", "4"], TextReader.Null, table, TextWriter.Null, CancellationToken.None), Is.Zero, table.ToString());
        Assert.That(table.ToString(), Does.Contain("top-1 agreement").And.Contain("router experts differ"));

        using var dir = new TempDirectory();
        string prompts = dir.File("prompts.jsonl");
        File.WriteAllLines(prompts, ["""{"ids": [1, 2, 3, 4]}""", "", """{"ids": [9, 8, 7]}"""]);
        var json = new StringWriter();
        Assert.That(GlmRuntime.Cli.GlmCommand.Run(["eval-quant", "--reference", Model("tiny-glm5"), "--candidate", Model("tiny-glm5"), "--prompts", prompts, "--json"],
            TextReader.Null, json, TextWriter.Null, CancellationToken.None), Is.Zero, json.ToString());
        var root = JsonDocument.Parse(json.ToString()).RootElement;
        Assert.That(root.GetProperty("positions").GetInt32(), Is.EqualTo(7));
        Assert.That(root.GetProperty("kl_mean").GetDouble(), Is.Zero);
    }
}
