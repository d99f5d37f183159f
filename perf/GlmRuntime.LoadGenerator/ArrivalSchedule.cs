namespace GlmRuntime.LoadGenerator;

/// <summary>
/// When each request is launched (open loop): gaps drawn from Gamma(shape = burstiness, scale = 1/(rate·burstiness)),
/// so burstiness 1 is a Poisson process, then the whole schedule rescaled so that the last request lands exactly at
/// count/rate (vLLM's <c>vllm bench serve</c>, SERVING.md §1.11). An infinite rate launches everything at once.
/// </summary>
public static class ArrivalSchedule
{
    /// <summary>Launch offsets from the start of the run, in order.</summary>
    /// <param name="count">Requests.</param>
    /// <param name="rate">Requests per second; <see cref="double.PositiveInfinity"/> for all at once.</param>
    /// <param name="burstiness">Gamma shape: 1 is Poisson, below 1 burstier, above 1 more even.</param>
    /// <param name="seed">Seed of the gaps.</param>
    public static TimeSpan[] Create(int count, double rate, double burstiness = 1, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!(rate > 0))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The request rate must be positive (or infinity).");
        if (!(burstiness > 0) || double.IsInfinity(burstiness))
            throw new ArgumentOutOfRangeException(nameof(burstiness), burstiness, "Burstiness must be positive and finite.");
        var offsets = new TimeSpan[count];
        if (double.IsPositiveInfinity(rate))
            return offsets;

        var random = new Random(seed);
        double scale = 1 / (rate * burstiness);
        var times = new double[count];
        double t = 0;
        for (int i = 0; i < count; i++)
        {
            t += Gamma(random, burstiness) * scale;
            times[i] = t;
        }
        double stretch = count / rate / times[^1];
        for (int i = 0; i < count; i++)
            offsets[i] = TimeSpan.FromSeconds(times[i] * stretch);
        return offsets;
    }

    /// <summary>A Gamma(shape, 1) draw (Marsaglia and Tsang; shapes below 1 by the usual power boost).</summary>
    internal static double Gamma(Random random, double shape)
    {
        if (shape < 1)
            return Gamma(random, shape + 1) * Math.Pow(1 - random.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            double u = 1 - random.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
                return d * v;
        }
    }

    private static double Normal(Random random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
