using GlmRuntime.Tests.Engine;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Speculative;

/// <summary>
/// Greedy speculative decoding emits exactly the tokens greedy decoding without it emits, for every draft depth
/// S = 1..5 and every test checkpoint, alone and in a batch of 16 mixed-length requests: verification rows are
/// computed like decode rows, accepted drafts are the target's own argmax, and rejected positions are rolled back.
/// </summary>
[TestFixture]
public sealed class SpeculativeGreedyTests
{
    private const int RequestCount = 16;

    public static IEnumerable<string> Models() =>
        Directory.GetDirectories(SharedData.PathOf("models")).Select(Path.GetFileName).Order().Select(name => name!);

    private static readonly Dictionary<string, IReadOnlyList<int>[]> Plain = [];

    private static List<(int[] Prompt, int MaxTokens)> Workload => EngineWorkloads.Mixed(RequestCount, maxLength: 60, maxTokens: 40, seed: 11);

    private static async Task<IReadOnlyList<int>[]> PlainOutputs(string model)
    {
        lock (Plain)
        {
            if (Plain.TryGetValue(model, out var known))
                return known;
        }
        await using var engine = await GlmEngine.LoadAsync(SharedData.PathOf("models", model));
        var outputs = new IReadOnlyList<int>[RequestCount];
        var workload = Workload;
        for (int i = 0; i < RequestCount; i++)
            outputs[i] = (await engine.GenerateAsync(workload[i].Prompt, EngineWorkloads.Greedy(workload[i].MaxTokens))).OutputTokenIds;
        lock (Plain)
            Plain[model] = outputs;
        return outputs;
    }

    private static GlmEngineOptions Options(int steps) => new()
    {
        PageSize = 16,
        Speculative = new SpeculativeDecodingOptions { Steps = steps },
        VerifyPagesEachStep = true,
    };

    [Test]
    public async Task Alone_equals_plain_greedy([ValueSource(nameof(Models))] string model, [Range(1, 5)] int steps)
    {
        var expected = await PlainOutputs(model);
        var workload = Workload;
        await using var engine = await GlmEngine.LoadAsync(SharedData.PathOf("models", model), Options(steps));
        for (int i = 0; i < RequestCount; i++)
        {
            var result = await engine.GenerateAsync(workload[i].Prompt, EngineWorkloads.Greedy(workload[i].MaxTokens));
            Assert.That(result.OutputTokenIds, Is.EqualTo(expected[i]), $"request {i}, {model}, S = {steps}");
        }
        var statistics = engine.GetStatistics();
        Assert.That(statistics.Speculative!.RoundCount, Is.GreaterThan(0));
        Assert.That(statistics.InUsePageCount, Is.Zero);
    }

    [Test]
    public async Task Batch_of_16_equals_plain_greedy([ValueSource(nameof(Models))] string model, [Range(1, 5)] int steps)
    {
        var expected = await PlainOutputs(model);
        var workload = Workload;
        await using var engine = await GlmEngine.LoadAsync(SharedData.PathOf("models", model), Options(steps));
        var requests = workload.Select(w => new GenerationRequest { PromptTokenIds = w.Prompt, Sampling = EngineWorkloads.Greedy(w.MaxTokens) }).ToList();
        var results = await engine.GenerateBatchAsync(requests);
        for (int i = 0; i < RequestCount; i++)
            Assert.That(results[i].OutputTokenIds, Is.EqualTo(expected[i]), $"request {i}, {model}, S = {steps}");
    }
}
