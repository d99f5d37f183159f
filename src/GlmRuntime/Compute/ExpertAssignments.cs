namespace GlmRuntime.Compute;

/// <summary>
/// A routing decision regrouped by expert: for each expert, its (token, routing weight) pairs in token order, so a
/// backend reads each active expert's weights once per step. Shared by the CPU and GPU expert-by-expert paths.
/// </summary>
internal static class ExpertAssignments
{
    /// <summary>[E] lists of (token, weight), null for an expert no token chose. <paramref name="chosen"/> is [T, k].</summary>
    /// <exception cref="ArgumentOutOfRangeException">An expert id is outside [0, <paramref name="expertCount"/>).</exception>
    public static List<(int Token, float Weight)>?[] Group(ReadOnlySpan<int> chosen, ReadOnlySpan<float> weights, int expertsPerToken, int expertCount)
    {
        var byExpert = new List<(int Token, float Weight)>?[expertCount];
        for (int i = 0; i < chosen.Length; i++)
        {
            int e = chosen[i];
            if ((uint)e >= (uint)expertCount)
                throw new ArgumentOutOfRangeException(nameof(chosen), e, $"Expert id outside the {expertCount} experts.");
            (byExpert[e] ??= []).Add((i / expertsPerToken, weights[i]));
        }
        return byExpert;
    }
}
