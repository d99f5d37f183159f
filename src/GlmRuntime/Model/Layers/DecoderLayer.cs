using System.Numerics.Tensors;
using GlmRuntime.Configuration;
using GlmRuntime.Weights;

namespace GlmRuntime.Model.Layers;

/// <summary>
/// One pre-norm decoder block (MODEL.md §3.2): h += Attn(RMSNorm(h)); h += FFN(RMSNorm(h)), with a dense
/// SwiGLU below first_k_dense_replace and the MoE above (and in the MTP layer).
/// </summary>
internal sealed class DecoderLayer
{
    private readonly RmsNorm _inputNorm;
    private readonly RmsNorm _postAttentionNorm;
    private readonly DenseMlp? _mlp;
    private readonly MoeFeedForward? _moe;

    public DecoderLayer(DecoderLayerWeights weights, GlmConfig config)
    {
        Index = weights.Index;
        _inputNorm = new RmsNorm(weights.InputNorm, config.RmsNormEps);
        _postAttentionNorm = new RmsNorm(weights.PostAttentionNorm, config.RmsNormEps);
        Attention = new MlaAttention(weights.Attention, config);
        _mlp = weights.DenseMlp is { } mlp ? new DenseMlp(mlp) : null;
        _moe = weights.Moe is { } moe ? new MoeFeedForward(moe, config) : null;
    }

    /// <summary>Checkpoint layer index (L for the MTP block).</summary>
    public int Index { get; }

    public MlaAttention Attention { get; }

    /// <summary>Updates the residual stream <paramref name="hidden"/> [T, d] in place; appends each segment's rows to its sequence's cache of this layer.</summary>
    public void Forward(StepContext context, Span<float> hidden)
    {
        var ws = context.Workspace;
        var normed = ws.Get(ForwardWorkspace.Slot.Normed, hidden.Length);                // [T, d]
        var attention = ws.Get(ForwardWorkspace.Slot.AttentionOut, hidden.Length);      // [T, d]
        _inputNorm.Apply(context, hidden, normed);
        Attention.Forward(context, Index, normed, attention);
        TensorPrimitives.Add(hidden, attention, hidden);

        var feedForward = ws.Get(ForwardWorkspace.Slot.FeedForwardOut, hidden.Length);  // [T, d]
        _postAttentionNorm.Apply(context, hidden, normed);
        if (_moe is not null)
            _moe.Forward(context, Index, normed, feedForward);
        else
            _mlp!.Forward(context, normed, feedForward);
        TensorPrimitives.Add(hidden, feedForward, hidden);
        context.Trace?.LayerOutputs.Add(Index, hidden.ToArray());
    }
}
