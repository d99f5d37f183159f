using GlmRuntime.Checkpoints;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Checkpoints;

public class TinyCheckpointWriterTests
{
    [TestCase(TinyCheckpointFormat.BF16, 1)]
    [TestCase(TinyCheckpointFormat.BF16, 3)]
    [TestCase(TinyCheckpointFormat.Mxfp4, 1)]
    [TestCase(TinyCheckpointFormat.Fp8, 2)]
    public void WrittenCheckpointLoadsAndBinds(TinyCheckpointFormat format, int shards)
    {
        using var dir = new TempDirectory();
        TinyCheckpointWriter.Write(dir.Path, TinyCheckpointWriter.TinyConfig(), new TinyCheckpointOptions { Seed = 7, Format = format, ShardCount = shards });
        Assert.That(File.Exists(dir.File(Checkpoint.IndexFileName)), Is.EqualTo(shards > 1));
        using var w = GlmWeights.Load(dir.Path);
        Assert.That(w.Warnings, Is.Empty);
        Assert.That(w.Disagreements, Is.Empty, "the written quantization_config agrees with the tensors");
        var formats = w.AllLinearWeights().Select(x => x.Format).Distinct().ToList();
        var expected = format switch
        {
            TinyCheckpointFormat.Mxfp4 => WeightFormat.Mxfp4,
            TinyCheckpointFormat.Fp8 => WeightFormat.Fp8Block,
            _ => WeightFormat.BF16,
        };
        Assert.That(formats, Does.Contain(expected));
        Assert.That(w.Mtp!.EhProj.Format, Is.EqualTo(WeightFormat.BF16));
    }

    [Test]
    public void SameSeedWritesIdenticalBytes()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var config = TinyCheckpointWriter.TinyConfig();
        TinyCheckpointWriter.Write(a.Path, config, new TinyCheckpointOptions { Seed = 3 });
        TinyCheckpointWriter.Write(b.Path, config, new TinyCheckpointOptions { Seed = 3 });
        Assert.That(File.ReadAllBytes(a.File("model.safetensors")), Is.EqualTo(File.ReadAllBytes(b.File("model.safetensors"))));
        TinyCheckpointWriter.Write(b.Path, config, new TinyCheckpointOptions { Seed = 4 });
        Assert.That(File.ReadAllBytes(a.File("model.safetensors")), Is.Not.EqualTo(File.ReadAllBytes(b.File("model.safetensors"))));
    }

    [Test]
    public void WeightsFollowTheTestInitialization()
    {
        using var dir = new TempDirectory();
        TinyCheckpointWriter.Write(dir.Path, TinyCheckpointWriter.TinyConfig());
        using var w = GlmWeights.Load(dir.Path);
        float[] norm = w.Layers[0].InputNorm.Values;
        Assert.That(norm.All(v => v is >= 0.79f and <= 1.21f), Is.True, "norms ~ 1 + U(−0.2, 0.2)");
        float[] bias = w.Layers[1].Moe!.CorrectionBias!.Values;
        Assert.That(bias.All(v => v is >= -0.5f and <= 0.5f) && bias.Distinct().Count() == bias.Length, Is.True);
    }

    [Test]
    public void InvalidOptionsNameTheOption()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            TinyCheckpointWriter.Write(dir.Path, TinyCheckpointWriter.TinyConfig(), new TinyCheckpointOptions { ShardCount = 0 }))!;
        Assert.That(e.ParamName, Is.EqualTo("ShardCount"));
    }
}
