namespace GlmRuntime.Model;

/// <summary>Result of a forward over T tokens.</summary>
/// <param name="Hidden">[T, d] final hidden states after model.norm (what lm_head and the MTP read).</param>
/// <param name="Logits">[LogitRows, V]: every position, or the last one only.</param>
/// <param name="TokenCount">T.</param>
/// <param name="LogitRows">T or 1.</param>
internal sealed record ForwardResult(float[] Hidden, float[] Logits, int TokenCount, int LogitRows);
