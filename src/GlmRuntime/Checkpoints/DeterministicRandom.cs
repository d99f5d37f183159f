namespace GlmRuntime.Checkpoints;

/// <summary>
/// SplitMix64 with Box–Muller normals: the same seed gives the same numbers on every platform and .NET
/// version (System.Random makes no such promise), so generated checkpoints are reproducible.
/// </summary>
internal sealed class DeterministicRandom(ulong seed)
{
    private ulong _state = seed;
    private double? _spareNormal;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E37_79B9_7F4A_7C15;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public float Uniform(float min, float max) => (float)(min + (max - min) * NextDouble());

    /// <summary>Standard normal.</summary>
    public float Normal()
    {
        if (_spareNormal is double spare)
        {
            _spareNormal = null;
            return (float)spare;
        }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = r * Math.Sin(2 * Math.PI * u2);
        return (float)(r * Math.Cos(2 * Math.PI * u2));
    }
}
