namespace GlmRuntime.Model;

/// <summary>Which of the two equivalent MLA forms runs (MODEL.md §3.4).</summary>
internal enum AttentionForm
{
    /// <summary>Expanded for multi-token chunks (prefill), absorbed for single-token decode.</summary>
    Auto,

    /// <summary>Per-head keys and values expanded from the latent (MHA).</summary>
    Expanded,

    /// <summary>W^UK folded into the query, W^UV applied after attention (MQA over the latent).</summary>
    Absorbed,
}
