namespace GlmRuntime.Speculative;

/// <summary>Running totals behind a <see cref="SpeculativeDecodingStatistics"/> (one request's, or the engine's).</summary>
internal sealed class SpeculativeCounters(int steps)
{
    private readonly long[] _drafted = new long[steps];
    private readonly long[] _accepted = new long[steps];
    private long _rounds, _draftTokens, _acceptedTokens;

    /// <summary>Records a round that drafted <paramref name="drafted"/> tokens and accepted the first <paramref name="accepted"/>.</summary>
    public void Add(int drafted, int accepted)
    {
        _rounds++;
        _draftTokens += drafted;
        _acceptedTokens += accepted;
        for (int k = 0; k < drafted; k++)
        {
            _drafted[k]++;
            if (k < accepted)
                _accepted[k]++;
        }
    }

    public SpeculativeDecodingStatistics Snapshot() =>
        new(_rounds, _draftTokens, _acceptedTokens, [.. _drafted], [.. _accepted]);
}
