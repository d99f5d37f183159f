namespace GlmRuntime.Diagnostics;

/// <summary>Percentiles as the Python tools (numpy's default) compute them, for the serving and quantization reports.</summary>
internal static class Percentiles
{
    /// <summary>Linear interpolation between closest ranks of <paramref name="values"/> (any order); 0 when empty.</summary>
    /// <param name="values">The sample.</param>
    /// <param name="percent">In [0, 100].</param>
    public static double Of(IEnumerable<double> values, double percent)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
            return 0;
        double rank = percent / 100 * (sorted.Length - 1);
        int low = (int)Math.Floor(rank), high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
