namespace GlmRuntime.Model;

/// <summary>Result of an MTP forward over T slots.</summary>
/// <param name="Logits">[LogitRows, V] draft logits of the rows the segments asked for.</param>
/// <param name="Output">[T, d] the MTP's output per slot (after shared_head.norm unless the pre-norm z was asked for):
/// the hidden state a recursive draft step pairs with its next token.</param>
internal sealed record MtpForwardResult(float[] Logits, float[] Output);
