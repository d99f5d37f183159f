namespace GlmRuntime.Tests.Support;

/// <summary>Pearson's two-sample chi-square test of homogeneity, with the upper tail of the chi-square distribution.</summary>
internal static class ChiSquare
{
    /// <summary>
    /// p-value of "both samples come from one distribution" for category counts <paramref name="a"/> and
    /// <paramref name="b"/> (keys are categories; samples may differ in size). Categories with fewer than
    /// <paramref name="pool"/> observations in total are pooled into one so the approximation holds.
    /// </summary>
    public static (double PValue, double Statistic, int DegreesOfFreedom) TwoSample<T>(IReadOnlyDictionary<T, int> a, IReadOnlyDictionary<T, int> b, int pool = 10)
        where T : notnull
    {
        double na = a.Values.Sum(), nb = b.Values.Sum();
        var cells = new List<(double A, double B)>();
        double rareA = 0, rareB = 0;
        foreach (var key in a.Keys.Union(b.Keys))
        {
            double x = a.GetValueOrDefault(key), y = b.GetValueOrDefault(key);
            if (x + y < pool)
            {
                rareA += x;
                rareB += y;
            }
            else
            {
                cells.Add((x, y));
            }
        }
        if (rareA + rareB > 0)
            cells.Add((rareA, rareB));
        double statistic = 0;
        foreach (var (x, y) in cells)
        {
            double total = x + y;
            double ea = total * na / (na + nb), eb = total * nb / (na + nb);
            statistic += (x - ea) * (x - ea) / ea + (y - eb) * (y - eb) / eb;
        }
        int df = Math.Max(1, cells.Count - 1);
        return (UpperTail(statistic, df), statistic, df);
    }

    /// <summary>P(X ≥ <paramref name="x"/>) for X ~ χ²(<paramref name="df"/>): the regularized upper incomplete gamma Q(df/2, x/2).</summary>
    public static double UpperTail(double x, int df)
    {
        if (x <= 0)
            return 1;
        double s = df / 2.0, z = x / 2.0;
        return z < s + 1 ? 1 - LowerSeries(s, z) : UpperContinuedFraction(s, z);
    }

    private static double LowerSeries(double s, double z)
    {
        double term = 1 / s, sum = term;
        for (int n = 1; n < 1000 && Math.Abs(term) > Math.Abs(sum) * 1e-15; n++)
        {
            term *= z / (s + n);
            sum += term;
        }
        return sum * Math.Exp(-z + s * Math.Log(z) - LogGamma(s));
    }

    private static double UpperContinuedFraction(double s, double z)
    {
        // Lentz's method on Q(s, z) = e^{-z} z^s / Γ(s) · 1/(z+1−s− 1·(1−s)/(z+3−s− …)).
        const double tiny = 1e-300;
        double b = z + 1 - s, c = 1 / tiny, d = 1 / b, h = d;
        for (int i = 1; i < 1000; i++)
        {
            double an = -i * (i - s);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
                break;
        }
        return Math.Exp(-z + s * Math.Log(z) - LogGamma(s)) * h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7).</summary>
    private static double LogGamma(double x)
    {
        double[] g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (x < 0.5)
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        double a = g[0], t = x + 7.5;
        for (int i = 1; i < 9; i++)
            a += g[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }
}
