using GlmRuntime.Checkpoints;
using GlmRuntime.Model;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Model;

/// <summary>
/// Quantized weights stay in their mapped files: loading and running an MXFP4 or FP8 checkpoint allocates only
/// the float32 norm vectors and workspaces, never a dequantized copy (resident memory ≈ file size).
/// </summary>
[TestFixture]
public sealed class QuantizedResidencyTests
{
    [TestCase(TinyCheckpointFormat.Mxfp4)]
    [TestCase(TinyCheckpointFormat.Fp8)]
    public void Loading_and_a_forward_allocate_a_small_fraction_of_the_file_size(TinyCheckpointFormat format)
    {
        using var dir = new TempDirectory();
        var config = TinyCheckpointWriter.TinyConfig() with
        {
            HiddenSize = 512, IntermediateSize = 1024, MoeIntermediateSize = 256, NRoutedExperts = 16, NumExpertsPerTok = 4,
            QLoraRank = 256, KvLoraRank = 128, NumAttentionHeads = 8, QkNopeHeadDim = 32, QkRopeHeadDim = 16, VHeadDim = 32,
            IndexHeadDim = 64, NumHiddenLayers = 2,
        };
        TinyCheckpointWriter.Write(dir.Path, config, new TinyCheckpointOptions { Format = format });
        long fileBytes = Directory.GetFiles(dir.Path, "*.safetensors").Sum(f => new FileInfo(f).Length);

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var model = GlmModel.Load(dir.Path, threadCount: 1);
        long loadBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(loadBytes, Is.LessThan(fileBytes / 10), $"load allocated {loadBytes:N0} B for a {fileBytes:N0} B checkpoint");

        var sequence = model.CreateSequence();
        model.Forward(sequence, [5, 6, 7, 8], allLogits: false);
        long afterFirst = GC.GetAllocatedBytesForCurrentThread();
        model.Forward(sequence, [9], allLogits: false);
        long decodeBytes = GC.GetAllocatedBytesForCurrentThread() - afterFirst;
        Assert.That(decodeBytes, Is.LessThan(fileBytes / 20), $"a decode step allocated {decodeBytes:N0} B");
    }
}
