namespace GlmRuntime;

/// <summary>
/// What speculative decoding achieved, for one request (<see cref="GenerationUsage.Speculative"/>) or the whole
/// engine (<see cref="GlmEngineStatistics.Speculative"/>). Names follow vLLM's spec_decode counters.
/// </summary>
/// <param name="RoundCount">Draft-and-verify rounds (vLLM's num_drafts): target forwards that verified drafts.</param>
/// <param name="DraftTokenCount">Tokens drafted by the MTP layer.</param>
/// <param name="AcceptedTokenCount">Drafts the target accepted.</param>
/// <param name="DraftedPerPosition">Rounds that drafted position k (index 0 is the first draft).</param>
/// <param name="AcceptedPerPosition">Rounds that accepted the draft at position k.</param>
public sealed record SpeculativeDecodingStatistics(long RoundCount, long DraftTokenCount, long AcceptedTokenCount,
    IReadOnlyList<long> DraftedPerPosition, IReadOnlyList<long> AcceptedPerPosition)
{
    /// <summary>Accepted over drafted tokens (vLLM's acceptance rate); 0 before any draft.</summary>
    public double AcceptanceRate => DraftTokenCount == 0 ? 0 : (double)AcceptedTokenCount / DraftTokenCount;

    /// <summary>Tokens each verifying target forward produced on average: 1 + accepted / rounds (sglang's accept length).</summary>
    public double MeanTokensPerTargetForward => RoundCount == 0 ? 0 : 1 + (double)AcceptedTokenCount / RoundCount;

    /// <summary>Acceptance rate of draft position <paramref name="position"/> (0-based); 0 when it was never drafted.</summary>
    public double AcceptanceRateAt(int position) =>
        (uint)position >= (uint)DraftedPerPosition.Count || DraftedPerPosition[position] == 0 ? 0
        : (double)AcceptedPerPosition[position] / DraftedPerPosition[position];
}
