using GlmRuntime.Compute;

namespace GlmRuntime.Model;

/// <summary>
/// The per-forward metadata every layer reads, passed explicitly (no ambient state): the backend, the scratch
/// buffers, the batch (positions and per-sequence segments) and an optional trace.
/// </summary>
internal sealed class StepContext(IComputeBackend backend, ForwardWorkspace workspace, ForwardBatch batch, ForwardTrace? trace)
{
    public IComputeBackend Backend { get; } = backend;

    public ForwardWorkspace Workspace { get; } = workspace;

    public ForwardBatch Batch { get; } = batch;

    /// <summary>[T] positions of the batch's tokens.</summary>
    public int[] Positions => Batch.Positions;

    public int TokenCount => Batch.TokenCount;

    public IReadOnlyList<BatchSegment> Segments => Batch.Segments;

    /// <summary>Set only for a single-sequence forward (traces are keyed by layer, not by sequence).</summary>
    public ForwardTrace? Trace { get; } = batch.Segments.Count == 1 ? trace : null;
}
