namespace GlmRuntime.Configuration;

/// <summary>Rotary position embedding parameters (<c>rope_parameters</c>, or <c>rope_theta</c> + <c>rope_scaling</c>).</summary>
/// <param name="Theta">Base of the inverse frequencies.</param>
/// <param name="Type">"default" or "yarn".</param>
/// <param name="Factor">YaRN context extension factor (1 when not scaled).</param>
/// <param name="OriginalMaxPositionEmbeddings">YaRN's pre-extension context length.</param>
/// <param name="BetaFast">YaRN ramp parameter.</param>
/// <param name="BetaSlow">YaRN ramp parameter.</param>
/// <param name="Mscale">YaRN attention-scale multiplier.</param>
/// <param name="MscaleAllDim">YaRN attention-scale multiplier applied to all dims.</param>
public sealed record RopeConfig(
    double Theta,
    string Type = "default",
    double Factor = 1.0,
    int OriginalMaxPositionEmbeddings = 0,
    double BetaFast = 32,
    double BetaSlow = 1,
    double Mscale = 1,
    double MscaleAllDim = 0)
{
    /// <summary>True for YaRN scaling (DeepSeek-V3.2 configs).</summary>
    public bool IsYarn => Type == "yarn";
}
