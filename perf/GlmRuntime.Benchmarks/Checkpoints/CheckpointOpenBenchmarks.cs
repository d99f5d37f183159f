using BenchmarkDotNet.Attributes;
using GlmRuntime.Checkpoints;
using GlmRuntime.Weights;

namespace GlmRuntime.Benchmarks.Checkpoints;

/// <summary>
/// Time to open (map + validate headers) and to bind a checkpoint. The generated "large" checkpoint has
/// 32 layers × 64 experts in MXFP4, 4 shards (13,048 tensors), where header parsing and name lookups dominate.
/// </summary>
[MemoryDiagnoser]
public class CheckpointOpenBenchmarks
{
    private string _large = "";

    [Params("tiny-glm5", "tiny-glm5-sharded", "tiny-glm5-mxfp4", "tiny-glm5-fp8", "generated-13k-tensors")]
    public string Model { get; set; } = "";

    private string Folder => Model == "generated-13k-tensors" ? _large : Path.Combine(BenchmarkPaths.Models, Model);

    [GlobalSetup]
    public void Setup()
    {
        _large = Path.Combine(Path.GetTempPath(), "glmrt-bench-13k");
        if (!File.Exists(Path.Combine(_large, "config.json")))
        {
            var config = TinyCheckpointWriter.TinyConfig() with { NumHiddenLayers = 32, NRoutedExperts = 64, NumExpertsPerTok = 4 };
            TinyCheckpointWriter.Write(_large, config, new TinyCheckpointOptions { Format = TinyCheckpointFormat.Mxfp4, ShardCount = 4 });
        }
    }

    [Benchmark]
    public int OpenCheckpoint()
    {
        using var checkpoint = Checkpoint.Open(Folder);
        return checkpoint.TensorCount;
    }

    [Benchmark]
    public int LoadAndBind()
    {
        using var weights = GlmWeights.Load(Folder);
        return weights.Layers.Count;
    }
}
