namespace GlmRuntime.Tests.Support;

/// <summary>Element-wise closeness in torch.allclose's sense, with a message naming the worst element.</summary>
internal static class Approx
{
    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double atol, double rtol, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (!(excess <= 0) && (worstAt < 0 || excess > worst || double.IsNaN(excess)))
            {
                worst = excess;
                worstAt = i;
            }
        }
        if (worstAt >= 0)
            Assert.Fail($"{what}: element {worstAt} is {actual[worstAt]}, expected {expected[worstAt]} (atol {atol}, rtol {rtol}).");
    }

    public static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
