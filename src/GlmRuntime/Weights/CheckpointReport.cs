using System.Text.RegularExpressions;
using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;

namespace GlmRuntime.Weights;

/// <summary>One group of matrices sharing a role and a stored format ("model.layers.*.mlp.experts.*.up_proj", MXFP4).</summary>
/// <param name="Pattern">Module name with layer and expert indices replaced by '*' (the MTP layer keeps its index).</param>
/// <param name="Format">Stored format.</param>
/// <param name="Count">Matrices in the group.</param>
/// <param name="Shape">Logical [out, in] shape of the first member.</param>
/// <param name="StoredBytes">Bytes held by the group (weights and scales).</param>
internal sealed record FormatGroup(string Pattern, WeightFormat Format, int Count, string Shape, long StoredBytes);

/// <summary>What <c>glm inspect</c> shows: config summary, parameter counts, formats and disagreements.</summary>
internal sealed partial record CheckpointReport(
    string Directory,
    GlmConfig Config,
    int TensorCount,
    long FileBytes,
    long TotalParameters,
    long MtpParameters,
    long ActiveParametersPerToken,
    IReadOnlyList<FormatGroup> Formats,
    IReadOnlyList<FormatDisagreement> Disagreements,
    IReadOnlyList<string> Warnings)
{
    public static CheckpointReport Create(GlmWeights weights)
    {
        GlmConfig c = weights.Config;
        var entries = TensorManifest.Enumerate(c).ToList();
        string mtpPrefix = $"model.layers.{c.MtpLayerIndex}.";
        var groups = weights.AllLinearWeights()
            .GroupBy(w => (Pattern: Generalize(w.Name, mtpPrefix), w.Format))
            .Select(g => new FormatGroup(g.Key.Pattern, g.Key.Format, g.Count(), $"[{g.First().OutFeatures}, {g.First().InFeatures}]", g.Sum(w => w.StoredBytes)))
            .ToList();
        long optionalCopies = (weights.Mtp?.EmbedTokens?.ParameterCount ?? 0) + (weights.Mtp?.SharedHeadHead?.ParameterCount ?? 0);
        return new CheckpointReport(
            weights.Checkpoint.Directory,
            c,
            weights.Checkpoint.TensorCount,
            weights.Checkpoint.FileBytes,
            entries.Sum(e => e.ParameterCount) + optionalCopies,
            entries.Where(e => e.Layer == c.MtpLayerIndex && c.NumNextnPredictLayers > 0).Sum(e => e.ParameterCount) + optionalCopies,
            TensorManifest.ActiveParametersPerToken(c),
            groups,
            weights.Disagreements,
            weights.Warnings);
    }

    /// <summary>"model.layers.7.mlp.experts.12.up_proj" → "model.layers.*.mlp.experts.*.up_proj"; the MTP layer keeps its index.</summary>
    private static string Generalize(string module, string mtpPrefix)
    {
        if (module.StartsWith(mtpPrefix, StringComparison.Ordinal))
            return mtpPrefix + ExpertIndex().Replace(module[mtpPrefix.Length..], ".experts.*.");
        return ExpertIndex().Replace(LayerIndex().Replace(module, "model.layers.*."), ".experts.*.");
    }

    [GeneratedRegex(@"^model\.layers\.\d+\.")]
    private static partial Regex LayerIndex();

    [GeneratedRegex(@"\.experts\.\d+\.")]
    private static partial Regex ExpertIndex();
}
