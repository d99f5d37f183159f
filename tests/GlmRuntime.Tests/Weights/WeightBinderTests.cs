using GlmRuntime.Checkpoints;
using GlmRuntime.Tensors;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Weights;

public class WeightBinderTests
{
    /// <summary>Rewrites a copy of tiny-glm5 with some tensors dropped, replaced or added.</summary>
    private static TempDirectory Rewrite(Func<string, bool> keep, Action<SafetensorsWriter>? add = null, string folder = "tiny-glm5")
    {
        var dir = new TempDirectory();
        string source = SharedData.PathOf("models", folder);
        foreach (string f in new[] { "config.json", "generation_config.json" })
            File.Copy(Path.Combine(source, f), dir.File(f));
        using var original = SafetensorsFile.Open(Path.Combine(source, "model.safetensors"));
        var writer = new SafetensorsWriter();
        foreach (var (name, info) in original.Tensors)
        {
            if (keep(name))
                writer.Add(name, info.DType, info.Shape, original.GetBytes(info).ToArray());
        }
        add?.Invoke(writer);
        writer.Write(dir.File("model.safetensors"));
        return dir;
    }

    [Test]
    public void AllMissingTensorsAreReportedInOneError()
    {
        string[] dropped = ["model.layers.1.mlp.experts.5.up_proj.weight", "model.layers.0.self_attn.indexer.k_norm.bias", "lm_head.weight", "model.layers.3.enorm.weight"];
        using var dir = Rewrite(n => !dropped.Contains(n));
        var e = Assert.Throws<CheckpointException>(() => GlmWeights.Load(dir.Path))!;
        Assert.That(e.Message, Does.Contain("4 tensor(s)"));
        foreach (string name in dropped)
            Assert.That(e.Message, Does.Contain(name));
    }

    [Test]
    public void UnexpectedTensorsBecomeWarnings()
    {
        using var dir = Rewrite(_ => true, w => w.AddF32("model.layers.0.self_attn.rotary_emb.inv_freq", [4], [1, 0.1f, 0.01f, 0.001f]));
        using var weights = GlmWeights.Load(dir.Path);
        Assert.That(weights.Warnings, Has.Count.EqualTo(1));
        Assert.That(weights.Warnings[0], Does.Contain("rotary_emb.inv_freq"));
    }

    [Test]
    public void OptionalMtpCopiesOfEmbedAndHeadAreAccepted()
    {
        using var source = SafetensorsFile.Open(SharedData.PathOf("models", "tiny-glm5", "model.safetensors"));
        byte[] embed = source.GetBytes(source.GetInfo("model.embed_tokens.weight")).ToArray();
        byte[] head = source.GetBytes(source.GetInfo("lm_head.weight")).ToArray();
        using var dir = Rewrite(_ => true, w =>
        {
            w.Add("model.layers.3.embed_tokens.weight", DType.BF16, [256, 64], embed);
            w.Add("model.layers.3.shared_head.head.weight", DType.BF16, [256, 64], head);
        });
        using var weights = GlmWeights.Load(dir.Path);
        Assert.That(weights.Mtp!.EmbedTokens, Is.Not.Null);
        Assert.That(weights.Mtp.SharedHeadHead, Is.Not.Null);
        Assert.That(weights.Warnings, Is.Empty);
    }

    [Test]
    public void MisshapenWeightNamesTensorAndBothShapes()
    {
        using var dir = Rewrite(n => n != "model.layers.0.self_attn.o_proj.weight",
            w => w.AddBF16("model.layers.0.self_attn.o_proj.weight", [64, 32], new float[64 * 32]));
        var e = Assert.Throws<CheckpointException>(() => GlmWeights.Load(dir.Path))!;
        Assert.That(e.TensorName, Is.EqualTo("model.layers.0.self_attn.o_proj.weight"));
        Assert.That(e.Message, Does.Contain("[64, 32]").And.Contain("[64, 64]"));
    }

    [Test]
    public void PackedTensorThatCannotBeTheMatrixNamesConfigEntryAndShapes()
    {
        const string module = "model.layers.0.self_attn.q_a_proj";
        using var dir = Rewrite(n => !n.StartsWith(module + ".weight", StringComparison.Ordinal), w =>
        {
            w.Add(module + ".weight", DType.U8, [32, 16], new byte[32 * 16]);
            w.Add(module + ".weight_scale", DType.U8, [32, 1], new byte[32]);
        }, folder: "tiny-glm5-mxfp4");
        var e = Assert.Throws<CheckpointException>(() => GlmWeights.Load(dir.Path))!;
        Assert.That(e.TensorName, Is.EqualTo(module + ".weight"));
        Assert.That(e.Message, Does.Contain("U8 [32, 16]").And.Contain("[32, 32]").And.Contain("global_quant_config"));
    }

    [Test]
    public void PackedWeightWithoutScalesFails()
    {
        const string module = "model.layers.0.self_attn.q_a_proj";
        using var dir = Rewrite(n => n != module + ".weight_scale", folder: "tiny-glm5-mxfp4");
        var e = Assert.Throws<CheckpointException>(() => GlmWeights.Load(dir.Path))!;
        Assert.That(e.Message, Does.Contain(module + ".weight_scale"));
    }

    [Test]
    public void LoadingHonoursCancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.That(() => GlmWeights.Load(SharedData.PathOf("models", "tiny-glm5"), cancellationToken: cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }
}
