using GlmRuntime.Compute;

namespace GlmRuntime.Model;

/// <summary>
/// The per-forward metadata every layer reads, passed explicitly (no ambient state): the backend, the scratch
/// buffers, the absolute position of each token in the chunk, the MLA form, and an optional trace.
/// </summary>
internal sealed class StepContext(IComputeBackend backend, ForwardWorkspace workspace, int[] positions, AttentionForm form, ForwardTrace? trace)
{
    public IComputeBackend Backend { get; } = backend;

    public ForwardWorkspace Workspace { get; } = workspace;

    /// <summary>[T] positions of the chunk's tokens (contiguous, starting at the cache length).</summary>
    public int[] Positions { get; } = positions;

    public int TokenCount => Positions.Length;

    public AttentionForm Form { get; } = form;

    public ForwardTrace? Trace { get; } = trace;

    /// <summary>True when this chunk uses the absorbed MLA form.</summary>
    public bool UseAbsorbed => Form == AttentionForm.Absorbed || (Form == AttentionForm.Auto && TokenCount == 1);

    /// <summary>The last indexer selection, reused by GLM-5.2 layers that share their indexer.</summary>
    public int[]? SharedSelection { get; set; }

    public int SharedSelectionWidth { get; set; }
}
