namespace GlmRuntime.Model;

/// <summary>
/// Optional recorder of intermediate results, keyed by layer index (the MTP layer uses its checkpoint index L):
/// what the golden files hold per layer. Costs copies; pass one only in tests and tools.
/// </summary>
internal sealed class ForwardTrace
{
    /// <summary>[T, d] residual stream after each decoder layer (the MTP's z before shared_head.norm).</summary>
    public Dictionary<int, float[]> LayerOutputs { get; } = [];

    /// <summary>[T, k] indexer selections (ascending, −1 padded).</summary>
    public Dictionary<int, (int[] Selected, int PerQuery)> Selections { get; } = [];

    /// <summary>[T, k_E] routed experts (sorted by id) and their weights.</summary>
    public Dictionary<int, (int[] Experts, float[] Weights)> Routing { get; } = [];

    /// <summary>[T, d] shared_head.norm(z) of the last MTP forward.</summary>
    public float[]? MtpHidden { get; set; }
}
