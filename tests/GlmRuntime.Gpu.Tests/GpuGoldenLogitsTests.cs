using GlmRuntime.Model;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Gpu.Tests;

/// <summary>Every tiny model of ../shared/testdata/models through the GPU backend against transformers' logits.</summary>
[Category("Gpu")]
[TestFixtureSource(typeof(SharedData), nameof(SharedData.ModelNames))]
[Parallelizable(ParallelScope.None)]
public sealed class GpuGoldenLogitsTests(string modelName)
{
    [Test]
    public void Full_sequence_logits_match_the_golden_logits()
    {
        GpuDevice.Require();
        using var golden = GoldenFile.Open(modelName);
        using var model = GlmModel.Load(golden.ModelDirectory, device: ComputeDevice.Gpu);
        Assert.That(model.Backend.Name, Does.StartWith("gpu"));
        for (int p = 0; p < golden.PromptCount; p++)
        {
            var tokens = golden.Ints($"prompt{p}.tokens");
            var result = model.Forward(model.CreateSequence(), tokens, allLogits: true);
            Approx.AssertClose(result.Logits, golden.Floats($"prompt{p}.logits"), golden.Tolerance("logits_atol"), golden.Tolerance("logits_rtol"),
                $"{modelName} prompt {p} logits (GPU)");
        }
    }
}
