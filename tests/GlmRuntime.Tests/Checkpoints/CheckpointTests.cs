using System.Text.Json.Nodes;
using GlmRuntime.Checkpoints;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Checkpoints;

public class CheckpointTests
{
    private static TempDirectory ShardedCopy()
    {
        var dir = new TempDirectory();
        foreach (string file in Directory.GetFiles(SharedData.PathOf("models", "tiny-glm5-sharded")))
            File.Copy(file, dir.File(Path.GetFileName(file)));
        return dir;
    }

    private static void EditIndex(TempDirectory dir, Action<JsonObject> edit)
    {
        var index = JsonNode.Parse(File.ReadAllText(dir.File(Checkpoint.IndexFileName)))!.AsObject();
        edit(index["weight_map"]!.AsObject());
        File.WriteAllText(dir.File(Checkpoint.IndexFileName), index.ToJsonString());
    }

    [Test]
    public void ShardedCheckpointExposesEveryTensor()
    {
        using var checkpoint = Checkpoint.Open(SharedData.PathOf("models", "tiny-glm5-sharded"));
        Assert.That(checkpoint.Files, Has.Count.EqualTo(2));
        Assert.That(checkpoint.TensorCount, Is.EqualTo(153));
        Assert.That(checkpoint.Contains("model.layers.3.eh_proj.weight"), Is.True);
    }

    [Test]
    public void IndexNamingAMissingShardFails()
    {
        using var dir = ShardedCopy();
        File.Delete(dir.File("model-00002-of-00002.safetensors"));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir.Path))!;
        Assert.That(e.Message, Does.Contain("model-00002-of-00002.safetensors").And.Contain(Checkpoint.IndexFileName));
    }

    [Test]
    public void IndexMappingATensorToTheWrongShardFails()
    {
        using var dir = ShardedCopy();
        EditIndex(dir, map => map["model.norm.weight"] = map["model.norm.weight"]!.GetValue<string>().Contains("00001")
            ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir.Path))!;
        Assert.That(e.TensorName, Is.EqualTo("model.norm.weight"));
    }

    [Test]
    public void IndexEscapingTheFolderFails()
    {
        using var dir = ShardedCopy();
        EditIndex(dir, map => map["model.norm.weight"] = "../model.safetensors");
        Assert.That(Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir.Path))!.Message, Does.Contain("not a plain file name"));
    }

    [Test]
    public void TensorMissingFromTheIndexFails()
    {
        using var dir = ShardedCopy();
        EditIndex(dir, map => map.Remove("model.norm.weight"));
        Assert.That(Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir.Path))!.TensorName, Is.EqualTo("model.norm.weight"));
    }

    [Test]
    public void FolderWithoutWeightsFails()
    {
        using var dir = new TempDirectory();
        Assert.That(Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir.Path))!.Message, Does.Contain("model.safetensors"));
    }
}
