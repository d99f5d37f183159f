namespace GlmRuntime.Weights;

/// <summary>
/// The config and the checkpoint disagree on a weight's format; the checkpoint wins (its dtypes and shapes
/// are self-consistent) and the disagreement is reported.
/// </summary>
/// <param name="Module">Checkpoint module name.</param>
/// <param name="ConfigRule">The config entry that decided what the config expects.</param>
/// <param name="ConfigExpects">What the config implies (format and shapes).</param>
/// <param name="CheckpointHas">What the safetensors headers hold (format and shapes).</param>
internal sealed record FormatDisagreement(string Module, string ConfigRule, string ConfigExpects, string CheckpointHas)
{
    public override string ToString() =>
        $"{Module}: {ConfigRule} implies {ConfigExpects}, but the checkpoint holds {CheckpointHas}; loaded as the checkpoint says";
}
