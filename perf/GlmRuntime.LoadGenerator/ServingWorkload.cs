namespace GlmRuntime.LoadGenerator;

/// <summary>
/// What the benchmark sends: random-token prompts (sglang's <c>random</c> dataset) of which a fraction is a prefix
/// shared within a group (its <c>generated-shared-prefix</c> dataset), and a fixed number of output tokens per request
/// (<c>ignore_eos</c>, so every request generates exactly that many).
/// </summary>
public sealed record ServingWorkload
{
    /// <summary>Requests per rate.</summary>
    public int RequestCount { get; init; } = 64;

    /// <summary>Prompt length in tokens (the seeds' headline: 20,000; scale it to the machine).</summary>
    public int InputTokens { get; init; } = 2000;

    /// <summary>Output tokens per request (the seeds' headline: 1,000).</summary>
    public int OutputTokens { get; init; } = 100;

    /// <summary>
    /// Lengths vary uniformly in [length·(1 − ratio), length] (sglang's <c>--random-range-ratio</c> read as a spread);
    /// 0 keeps them fixed.
    /// </summary>
    public double RangeRatio { get; init; }

    /// <summary>Fraction of each prompt that is its group's shared prefix (the seeds' 60% cache hit: 0.6).</summary>
    public double SharedPrefixFraction { get; init; } = 0.6;

    /// <summary>Number of distinct shared prefixes; requests pick one at random.</summary>
    public int PrefixGroups { get; init; } = 4;

    /// <summary>Seed of the prompts and lengths; each rate of a sweep adds its index, so rates never share prefixes.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks the values; the exception names the option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestCount, 1, nameof(RequestCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(InputTokens, 1, nameof(InputTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(OutputTokens, 1, nameof(OutputTokens));
        if (RangeRatio is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(RangeRatio), RangeRatio, "RangeRatio must be in [0, 1).");
        if (SharedPrefixFraction is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(SharedPrefixFraction), SharedPrefixFraction, "SharedPrefixFraction must be in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfLessThan(PrefixGroups, 1, nameof(PrefixGroups));
    }

    /// <summary>The requests of one run.</summary>
    /// <param name="tokenIds">Ordinary (non-special) token ids to draw prompts from.</param>
    /// <param name="seedOffset">Added to <see cref="Seed"/> (the rate's index in a sweep).</param>
    public IReadOnlyList<WorkloadRequest> Generate(IReadOnlyList<int> tokenIds, int seedOffset = 0)
    {
        Validate();
        if (tokenIds.Count == 0)
            throw new ArgumentException("No token ids to draw prompts from.", nameof(tokenIds));
        var random = new Random(Seed + seedOffset);
        int[] Tokens(int count) => Enumerable.Range(0, count).Select(_ => tokenIds[random.Next(tokenIds.Count)]).ToArray();
        int Length(int length) => RangeRatio == 0 ? length : Math.Max(1, (int)Math.Round(length * (1 - RangeRatio * random.NextDouble())));

        int prefixLength = (int)Math.Round(InputTokens * SharedPrefixFraction);
        int[][] prefixes = Enumerable.Range(0, PrefixGroups).Select(_ => Tokens(prefixLength)).ToArray();
        var requests = new List<WorkloadRequest>(RequestCount);
        for (int i = 0; i < RequestCount; i++)
        {
            int[] prefix = prefixes[random.Next(PrefixGroups)];
            int input = Math.Max(Length(InputTokens), prefix.Length + 1);
            requests.Add(new WorkloadRequest(i, [.. prefix, .. Tokens(input - prefix.Length)], Length(OutputTokens)));
        }
        return requests;
    }
}

/// <summary>One benchmark request.</summary>
/// <param name="Index">Its position in the run.</param>
/// <param name="PromptTokenIds">The prompt.</param>
/// <param name="OutputTokens">Tokens to generate (end-of-sequence ignored).</param>
public sealed record WorkloadRequest(int Index, int[] PromptTokenIds, int OutputTokens);
