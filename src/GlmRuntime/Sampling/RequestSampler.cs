namespace GlmRuntime.Sampling;

/// <summary>
/// Everything one request needs to turn logit rows into tokens: its own random stream (seeded from
/// <see cref="SamplingParams.Seed"/>), its token history for penalties, and its generated count. Results depend only
/// on this request's seed and history, never on other requests in the batch. Not thread-safe: one request, one caller.
/// </summary>
/// <remarks>
/// <see cref="Next"/> follows vLLM's order: (a) logprobs from the raw logits (computed last, from the untouched row); (b) on a private copy of the row,
/// logit bias, min-tokens masking, repetition penalty (prompt + output), then frequency and presence penalties
/// (output only); (c) temperature / top-k / top-p / min-p and the draw in <see cref="Sampler"/>; (d) history.
/// A processor at its neutral value is skipped, and when none applies the raw row is sampled without a copy,
/// so greedy decoding with default options is exactly argmax of the model's logits.
/// </remarks>
internal sealed class RequestSampler
{
    /// <summary>vLLM clamps every logit bias to ±100.</summary>
    public const float MaxLogitBias = 100f;

    private readonly SamplingParams _sampling;
    private readonly Random _random;
    private readonly int _vocabSize;

    // The processed row [V]; allocated once, and only when some processor can change the logits.
    private readonly float[]? _scratch;

    // The filtered distribution [V] a speculative verification reads; allocated on first use.
    private float[]? _distribution;

    // Logit bias as parallel arrays of in-vocab ids and clamped values: enumerating the dictionary each step would allocate.
    private readonly int[] _biasIds;
    private readonly float[] _biasValues;

    // Ids masked to −∞ until MinTokens tokens exist: eos (unless IgnoreEos) and stop ids, in vocab, distinct.
    private readonly int[] _minTokensMaskIds;

    // Repetition penalty: the distinct tokens of prompt + output, as a membership row [V] and a list to walk.
    private readonly float _repetitionPenalty;
    private readonly bool[]? _seen;
    private readonly List<int>? _seenIds;

    // Frequency/presence penalties: output counts per token [V] and the distinct output tokens to walk.
    private readonly float _frequencyPenalty;
    private readonly float _presencePenalty;
    private readonly int[]? _outputCounts;
    private readonly List<int>? _outputIds;

    /// <summary>Creates the sampler of one request.</summary>
    /// <param name="sampling">The request's options (validated here).</param>
    /// <param name="promptTokenIds">The prompt, for the repetition penalty; ids outside the vocabulary are ignored.</param>
    /// <param name="eosTokenIds">The model's eos ids, masked until <see cref="SamplingParams.MinTokens"/> unless
    /// <see cref="SamplingParams.IgnoreEos"/>.</param>
    /// <param name="vocabSize">Length V of every logit row.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabSize"/> is not positive, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public RequestSampler(SamplingParams sampling, IReadOnlyList<int> promptTokenIds, IReadOnlyList<int> eosTokenIds, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        ArgumentNullException.ThrowIfNull(promptTokenIds);
        ArgumentNullException.ThrowIfNull(eosTokenIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        sampling.Validate();

        _sampling = sampling;
        _vocabSize = vocabSize;
        long seed = sampling.Seed ?? Random.Shared.NextInt64();
        _random = new Random(MixSeed(seed));

        (_biasIds, _biasValues) = BuildBias(sampling.LogitBias, vocabSize);
        _minTokensMaskIds = sampling.MinTokens > 0 ? BuildMinTokensMask(sampling, eosTokenIds, vocabSize) : [];

        _repetitionPenalty = (float)sampling.RepetitionPenalty;
        if (_repetitionPenalty != 1f)
        {
            _seen = new bool[vocabSize];
            _seenIds = [];
            foreach (int id in promptTokenIds)
                MarkSeen(id);
        }

        _frequencyPenalty = (float)sampling.FrequencyPenalty;
        _presencePenalty = (float)sampling.PresencePenalty;
        if (_frequencyPenalty != 0f || _presencePenalty != 0f)
        {
            _outputCounts = new int[vocabSize];
            _outputIds = [];
        }

        if (_biasIds.Length > 0 || _minTokensMaskIds.Length > 0 || _seen is not null || _outputCounts is not null)
            _scratch = new float[vocabSize];
    }

    /// <summary>Tokens drawn so far.</summary>
    public int GeneratedCount { get; private set; }

    /// <summary>True when the draw is argmax (temperature 0 or top-k 1): no random numbers are consumed.</summary>
    public bool IsGreedy => _sampling.Temperature == 0 || _sampling.TopK == 1;

    /// <summary>The options this sampler applies.</summary>
    public SamplingParams Sampling => _sampling;

    /// <summary>Chooses the next token from the model's raw logits and records it in the history.</summary>
    /// <param name="logits">The model's raw row [V]; not modified.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not V long.</exception>
    public SampledToken Next(ReadOnlySpan<float> logits)
    {
        CheckRow(logits);
        // (b) + (c)
        int token = Sampler.Sample(Process(logits), _sampling, _random);
        return Take(logits, token);
    }

    /// <summary>
    /// Speculative verification of one draft against the target's raw row: greedy requests take the argmax (the
    /// draft is accepted when it equals it); sampled ones accept <paramref name="draft"/> with its probability
    /// p(draft) under the processed distribution and otherwise draw from that distribution with the draft removed,
    /// so the token returned is distributed exactly as <see cref="Next"/>'s (the draft is deterministic). Records
    /// the token in the history like <see cref="Next"/>.
    /// </summary>
    /// <param name="logits">The target's raw row [V] at the draft's position; not modified.</param>
    /// <param name="draft">The drafted token.</param>
    /// <param name="accepted">Whether the token returned is the draft.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not V long.</exception>
    public SampledToken NextGivenDraft(ReadOnlySpan<float> logits, int draft, out bool accepted)
    {
        CheckRow(logits);
        var row = Process(logits);
        int token;
        if (IsGreedy || (uint)draft >= (uint)_vocabSize)
        {
            token = Sampler.Sample(row, _sampling, _random);
        }
        else
        {
            var distribution = (_distribution ??= new float[_vocabSize]).AsSpan();
            Sampler.Distribution(row, _sampling, distribution);
            if (_random.NextDouble() < distribution[draft])
            {
                token = draft;
            }
            else
            {
                distribution[draft] = 0f;
                token = Sampler.DrawFromDistribution(distribution, _random);
                if (token < 0)
                    token = draft; // nothing else has mass: p(draft) is 1 up to rounding
            }
        }
        accepted = token == draft;
        return Take(logits, token);
    }

    /// <summary>(d) history, and the logprobs of the raw distribution (vLLM's raw_logprobs) when asked for.</summary>
    private SampledToken Take(ReadOnlySpan<float> logits, int token)
    {
        Record(token);
        if (_sampling.Logprobs is not int n)
            return new SampledToken(token, null);
        double logSumExp = LogprobCalculator.LogSumExp(logits);
        var top = n == 0 ? [] : new TokenLogprob[Math.Min(n, _vocabSize)];
        LogprobCalculator.TopLogprobs(logits, logSumExp, n, top);
        return new SampledToken(token, new GeneratedTokenLogprobs(new TokenLogprob(token, LogprobCalculator.Logprob(logits, logSumExp, token)), top));
    }

    private void CheckRow(ReadOnlySpan<float> logits)
    {
        if (logits.Length != _vocabSize)
            throw new ArgumentException($"The logit row has {logits.Length} entries; the vocabulary has {_vocabSize}.", nameof(logits));
    }

    /// <summary>
    /// Writes the row the next draw would see (step (b) applied to <paramref name="logits"/>) into
    /// <paramref name="destination"/> without drawing or recording anything; for diagnostics and tests.
    /// </summary>
    /// <exception cref="ArgumentException">A row is not V long.</exception>
    public void ProcessLogits(ReadOnlySpan<float> logits, Span<float> destination)
    {
        if (logits.Length != _vocabSize || destination.Length != _vocabSize)
            throw new ArgumentException($"Logit rows must have {_vocabSize} entries.", nameof(logits));
        Process(logits).CopyTo(destination);
    }

    /// <summary>The row the draw sees: <paramref name="logits"/> itself when no processor applies, else the processed copy.</summary>
    private ReadOnlySpan<float> Process(ReadOnlySpan<float> logits)
    {
        bool masking = GeneratedCount < _sampling.MinTokens && _minTokensMaskIds.Length > 0;
        // _scratch exists iff some processor is configured; min-tokens masking may have run its course.
        if (_scratch is null || (_biasIds.Length == 0 && !masking && _seenIds is null && _outputIds is null))
            return logits;

        var row = _scratch.AsSpan();
        logits.CopyTo(row);

        for (int i = 0; i < _biasIds.Length; i++)
            row[_biasIds[i]] += _biasValues[i];

        if (masking)
        {
            foreach (int id in _minTokensMaskIds)
                row[id] = float.NegativeInfinity;
        }

        // Repetition: once per distinct token of prompt + output, shrinking the logit toward "unlikely" either way.
        if (_seenIds is not null)
        {
            foreach (int id in _seenIds)
                row[id] = row[id] > 0 ? row[id] / _repetitionPenalty : row[id] * _repetitionPenalty;
        }

        // Frequency then presence, as two subtractions like vLLM's float32 tensors.
        if (_outputIds is not null)
        {
            foreach (int id in _outputIds)
            {
                if (_frequencyPenalty != 0f)
                    row[id] -= _frequencyPenalty * _outputCounts![id];
                if (_presencePenalty != 0f)
                    row[id] -= _presencePenalty;
            }
        }
        return row;
    }

    /// <summary>
    /// SplitMix64's finalizer folded to 32 bits: System.Random's seeded generator gives nearby seeds nearly the same
    /// first draws, so requests seeded 0, 1, 2, … would sample in lockstep instead of independently.
    /// </summary>
    private static int MixSeed(long seed)
    {
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return unchecked((int)(z ^ (z >> 32)));
    }

    private void Record(int token)
    {
        GeneratedCount++;
        MarkSeen(token);
        if (_outputCounts is not null && _outputCounts[token]++ == 0)
            _outputIds!.Add(token);
    }

    private void MarkSeen(int token)
    {
        if (_seen is not null && (uint)token < (uint)_vocabSize && !_seen[token])
        {
            _seen[token] = true;
            _seenIds!.Add(token);
        }
    }

    private static (int[] Ids, float[] Values) BuildBias(IReadOnlyDictionary<int, float>? bias, int vocabSize)
    {
        if (bias is null || bias.Count == 0)
            return ([], []);
        var entries = bias.Where(e => (uint)e.Key < (uint)vocabSize).OrderBy(e => e.Key).ToArray();
        return ([.. entries.Select(e => e.Key)], [.. entries.Select(e => Math.Clamp(e.Value, -MaxLogitBias, MaxLogitBias))]);
    }

    private static int[] BuildMinTokensMask(SamplingParams sampling, IReadOnlyList<int> eosTokenIds, int vocabSize)
    {
        var ids = new SortedSet<int>(sampling.StopTokenIds);
        if (!sampling.IgnoreEos)
            ids.UnionWith(eosTokenIds);
        return [.. ids.Where(id => (uint)id < (uint)vocabSize)];
    }
}
