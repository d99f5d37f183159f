namespace GlmRuntime.Compute;

/// <summary>
/// How the router picks experts (MODEL.md §3.8, DeepSeek <c>noaux_tc</c>): sigmoid scores, the correction bias
/// added for selection only, a group limit when <see cref="GroupCount"/> &gt; 1, then weights from the unbiased
/// scores, renormalized when <see cref="NormalizeTopK"/>, times <see cref="ScalingFactor"/>.
/// </summary>
internal readonly record struct RoutingSettings(int ExpertCount, int ExpertsPerToken, int GroupCount, int GroupsKept,
    bool NormalizeTopK, float ScalingFactor, bool SoftmaxScoring);
