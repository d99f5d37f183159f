namespace GlmRuntime.Tests.Engine;

/// <summary>Seeded request mixes for engine property tests on the tiny checkpoints (vocab 256, context 512).</summary>
internal static class EngineWorkloads
{
    /// <summary><paramref name="count"/> prompts of mixed lengths (1 to <paramref name="maxLength"/>) with their own token limits.</summary>
    public static List<(int[] Prompt, int MaxTokens)> Mixed(int count, int maxLength, int maxTokens, int seed, int vocab = 256)
    {
        var random = new Random(seed);
        var list = new List<(int[], int)>(count);
        for (int i = 0; i < count; i++)
        {
            // Include the extremes: a one-token prompt and the longest allowed.
            int length = i == 0 ? 1 : i == 1 ? maxLength : random.Next(1, maxLength + 1);
            var prompt = new int[length];
            for (int t = 0; t < length; t++)
                prompt[t] = random.Next(vocab);
            list.Add((prompt, random.Next(1, maxTokens + 1)));
        }
        return list;
    }

    public static SamplingParams Greedy(int maxTokens) => SamplingParams.Greedy with { MaxTokens = maxTokens, IgnoreEos = true };

    public static SamplingParams Seeded(int maxTokens, long seed) =>
        new() { Temperature = 0.9, TopP = 0.95, TopK = 40, MaxTokens = maxTokens, Seed = seed, IgnoreEos = true };

    /// <summary>Bytes of one float32 KV page of a checkpoint whose layers all have their own indexer (the tiny GLM-5 models).</summary>
    public static long PageBytes(string modelDirectory, int pageSize)
    {
        var config = GlmRuntime.Configuration.GlmConfigParser.Parse(File.ReadAllText(Path.Combine(modelDirectory, "config.json")), "config.json");
        int perToken = config.NumHiddenLayers * (config.KvLoraRank + config.QkRopeHeadDim + config.IndexHeadDim);
        return (long)pageSize * perToken * sizeof(float);
    }
}
