using GlmRuntime.Configuration;

namespace GlmRuntime.Compute;

/// <summary>
/// RoPE parameters of one path (MODEL.md §3.3): inverse frequencies θ_i for the d_r/2 rotated pairs, a cos/sin
/// multiplier (YaRN's attention factor, 1 otherwise), and the pairing: interleaved (x_2i, x_2i+1) as in GPT-J
/// and GLM-5, or half-split (x_i, x_i+d_r/2) as in NeoX and DeepSeek-V3.2's indexer.
/// </summary>
internal sealed class RotaryTable
{
    private RotaryTable(float[] inverseFrequencies, float attentionFactor, bool interleaved)
    {
        InverseFrequencies = inverseFrequencies;
        AttentionFactor = attentionFactor;
        Interleaved = interleaved;
    }

    /// <summary>[d_r / 2] θ_i.</summary>
    public float[] InverseFrequencies { get; }

    /// <summary>Multiplies cos and sin (YaRN mscale ratio; 1 for default RoPE).</summary>
    public float AttentionFactor { get; }

    /// <summary>True: pairs (2i, 2i+1); false: pairs (i, i + d_r/2).</summary>
    public bool Interleaved { get; }

    /// <summary>d_r, the rotated width.</summary>
    public int RotaryDim => InverseFrequencies.Length * 2;

    /// <summary>The table of a config's RoPE (with YaRN when <c>rope_type</c> is yarn) over <paramref name="rotaryDim"/> dims.</summary>
    public static RotaryTable Create(RopeConfig rope, int rotaryDim, bool interleaved)
    {
        if (rotaryDim <= 0 || rotaryDim % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(rotaryDim), rotaryDim, "The rotary dim must be a positive even number.");
        int half = rotaryDim / 2;
        // Frequencies in float32 as transformers builds them: 1 / base^(2i/d).
        var extrapolation = new float[half];
        for (int i = 0; i < half; i++)
            extrapolation[i] = (float)(1.0 / Math.Pow(rope.Theta, 2.0 * i / rotaryDim));
        if (!rope.IsYarn || rope.Factor <= 1)
            return new RotaryTable(extrapolation, 1f, interleaved);

        // YaRN: interpolate the low-frequency dims by the factor, blend over a linear ramp between the correction
        // dims of beta_fast and beta_slow at the original context length.
        double factor = rope.Factor;
        int originalLength = rope.OriginalMaxPositionEmbeddings > 0 ? rope.OriginalMaxPositionEmbeddings : 4096;
        double CorrectionDim(double rotations) =>
            rotaryDim * Math.Log(originalLength / (rotations * 2 * Math.PI)) / (2 * Math.Log(rope.Theta));
        double low = Math.Max(Math.Floor(CorrectionDim(rope.BetaFast)), 0);
        double high = Math.Min(Math.Ceiling(CorrectionDim(rope.BetaSlow)), rotaryDim - 1);
        if (low == high)
            high += 0.001;
        var inverse = new float[half];
        for (int i = 0; i < half; i++)
        {
            double ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            double extrapolationWeight = 1 - ramp;
            double interpolated = extrapolation[i] / factor;
            inverse[i] = (float)(interpolated * (1 - extrapolationWeight) + extrapolation[i] * extrapolationWeight);
        }
        double attentionFactor = rope.MscaleAllDim > 0
            ? YarnMscale(factor, rope.Mscale) / YarnMscale(factor, rope.MscaleAllDim)
            : YarnMscale(factor, 1);
        return new RotaryTable(inverse, (float)attentionFactor, interleaved);
    }

    private static double YarnMscale(double factor, double mscale) => factor <= 1 ? 1 : 0.1 * mscale * Math.Log(factor) + 1;
}
