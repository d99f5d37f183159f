using System.Text.Json.Nodes;
using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Configuration;

public class GlmConfigTests
{
    [Test]
    public void Glm5ConfigLoadsWithSpecValues()
    {
        var c = GlmConfig.Parse(ConfigSamples.Glm5, "glm5/config.json");
        Assert.That(c.QkHeadDim, Is.EqualTo(256));
        Assert.That(c.SoftmaxScale, Is.EqualTo(1.0 / 16));
        Assert.That(c.EosTokenIds, Is.EqualTo(new[] { 154820, 154827, 154829 }));
        Assert.That(c.IndexerRopeInterleave && c.RopeInterleave, Is.True);
        Assert.That(c.Rope, Is.EqualTo(new RopeConfig(1_000_000)));
        Assert.That(Enumerable.Range(0, 78).Count(c.IsMoeLayer), Is.EqualTo(75));
        Assert.That(c.IsMoeLayer(c.MtpLayerIndex), Is.True);
        Assert.That(Enumerable.Range(0, 78).All(c.HasFullIndexer), Is.True);
    }

    [Test]
    public void Glm5ManifestMatchesThePublishedTensorAndParameterCounts()
    {
        var c = GlmConfig.Parse(ConfigSamples.Glm5);
        var entries = TensorManifest.Enumerate(c).ToList();
        Assert.That(entries, Has.Count.EqualTo(59_870));
        Assert.That(entries.Sum(e => e.ParameterCount), Is.EqualTo(753_864_139_008));
        Assert.That(entries.Where(e => e.Layer == 78).Sum(e => e.ParameterCount), Is.EqualTo(9_952_920_576));
        long active = TensorManifest.ActiveParametersPerToken(c);
        Assert.That(active / 1e9, Is.EqualTo(40.8).Within(0.1), "about 40.8 B active per token without the embedding");
    }

    [Test]
    public void TinyManifestMatchesTheSpec()
    {
        var c = TinyCheckpointWriter.TinyConfig();
        var entries = TensorManifest.Enumerate(c).ToList();
        Assert.That(entries, Has.Count.EqualTo(153));
        Assert.That(entries.Sum(e => e.ParameterCount), Is.EqualTo(298_584));
        Assert.That(entries.Where(e => e.Layer == 3).Sum(e => e.ParameterCount), Is.EqualTo(80_536));
        Assert.That(c.SoftmaxScale, Is.EqualTo(1 / Math.Sqrt(24)).Within(1e-15));
    }

    [Test]
    public void DeepSeekV32ConfigLoadsWithYarnHalfSplitIndexerAndGroups()
    {
        var c = GlmConfig.Parse(ConfigSamples.DeepSeekV32, "dsv32/config.json");
        Assert.That(c.Rope.IsYarn, Is.True);
        Assert.That(c.Rope.Factor, Is.EqualTo(40));
        Assert.That(c.Rope.OriginalMaxPositionEmbeddings, Is.EqualTo(4096));
        Assert.That(c.IndexerRopeInterleave, Is.False, "absent ⇒ half-split indexer RoPE");
        Assert.That(c.RopeInterleave, Is.True);
        Assert.That((c.NGroup, c.TopkGroup), Is.EqualTo((8, 4)));
        Assert.That(c.EosTokenIds, Is.EqualTo(new[] { 1 }));
        double mscale = 0.1 * Math.Log(40) + 1;
        Assert.That(c.SoftmaxScale, Is.EqualTo(mscale * mscale / Math.Sqrt(192)).Within(1e-12));
        Assert.That(c.Quantization, Is.TypeOf<Fp8QuantizationConfig>());
    }

    [Test]
    public void Glm52KeysAreAcceptedAndSelectSharedIndexerLayers()
    {
        var c = GlmConfig.Parse(ConfigSamples.Glm52());
        Assert.That(c.IndexTopkFreq, Is.EqualTo(4));
        Assert.That(c.IndexShareForMtpIteration, Is.True);
        Assert.That(c.MoeRouterDType, Is.EqualTo("float32"));
        // full iff max(i − 3 + 1, 0) % 4 == 0: layers 0, 1, 2 (0 % 4), then 6, 10, ...
        Assert.That(Enumerable.Range(0, 12).Where(c.HasFullIndexer), Is.EqualTo(new[] { 0, 1, 2, 6, 10 }));
    }

    [Test]
    public void EverySharedCheckpointConfigLoads()
    {
        foreach (string name in SharedData.ModelNames())
        {
            var c = GlmConfig.Load(SharedData.PathOf("models", name));
            Assert.That(c.ModelType, Is.EqualTo("glm_moe_dsa"), name);
        }
    }

    [TestCase("hidden_size")]
    [TestCase("kv_lora_rank")]
    [TestCase("index_topk")]
    [TestCase("rms_norm_eps")]
    [TestCase("model_type")]
    public void MissingKeyNamesKeyAndFile(string key)
    {
        var node = JsonNode.Parse(ConfigSamples.Glm5)!.AsObject();
        node.Remove(key);
        var e = Assert.Throws<ConfigException>(() => GlmConfig.Parse(node.ToJsonString(), "/models/x/config.json"))!;
        Assert.That(e.Key, Is.EqualTo(key));
        Assert.That(e.Message, Does.Contain("/models/x/config.json").And.Contain($"'{key}'"));
    }

    [TestCase("hidden_size", "\"big\"", "integer")]
    [TestCase("hidden_size", "-5", "≥ 1")]
    [TestCase("qk_rope_head_dim", "63", "even")]
    [TestCase("n_group", "3", "divide")]
    [TestCase("topk_group", "2", "n_group")]
    [TestCase("num_experts_per_tok", "300", "num_experts_per_tok")]
    [TestCase("scoring_func", "\"relu\"", "not supported")]
    [TestCase("model_type", "\"llama\"", "not supported")]
    [TestCase("qk_head_dim", "192", "qk_nope_head_dim")]
    [TestCase("norm_topk_prob", "\"yes\"", "true or false")]
    [TestCase("eos_token_id", "[1, \"x\"]", "eos_token_id[1]")]
    [TestCase("index_head_dim", "64", "exceed")]
    public void InvalidValueNamesKeyAndFile(string key, string json, string expected)
    {
        var node = JsonNode.Parse(ConfigSamples.Glm5)!.AsObject();
        node[key] = JsonNode.Parse(json);
        var e = Assert.Throws<ConfigException>(() => GlmConfig.Parse(node.ToJsonString(), "cfg.json"))!;
        Assert.That(e.Message, Does.Contain("cfg.json").And.Contain(expected));
        Assert.That(e.Key, Does.StartWith(key));
    }

    [Test]
    public void BadYarnScalingNamesTheNestedKey()
    {
        var node = JsonNode.Parse(ConfigSamples.DeepSeekV32)!.AsObject();
        node["rope_scaling"]!.AsObject().Remove("factor");
        var e = Assert.Throws<ConfigException>(() => GlmConfig.Parse(node.ToJsonString(), "ds.json"))!;
        Assert.That(e.Key, Is.EqualTo("rope_scaling.factor"));
    }

    [Test]
    public void MalformedJsonNamesTheFile()
    {
        var e = Assert.Throws<ConfigException>(() => GlmConfig.Parse("{\"vocab_size\": ", "broken.json"))!;
        Assert.That(e.Message, Does.Contain("broken.json").And.Contain("JSON"));
    }

    [Test]
    public void MissingFileIsReported() =>
        Assert.Throws<FileNotFoundException>(() => GlmConfig.Load("/nonexistent-model-dir"));
}
