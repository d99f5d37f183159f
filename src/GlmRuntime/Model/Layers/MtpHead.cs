using GlmRuntime.Configuration;
using GlmRuntime.Weights;

namespace GlmRuntime.Model.Layers;

/// <summary>
/// The MTP (nextn) layer (MODEL.md §4.1): slot i pairs the target's post-norm hidden state h_i with the
/// embedding of token i+1, u = eh_proj([enorm(e) ; hnorm(h)]) (embedding FIRST), runs a full decoder block at
/// position i with its own caches, and returns shared_head.norm(z), which the shared lm_head turns into draft
/// logits. Slot 0 is not zeroed (sglang's convention).
/// </summary>
internal sealed class MtpHead
{
    private readonly MtpWeights _w;
    private readonly RmsNorm _embeddingNorm;
    private readonly RmsNorm _hiddenNorm;
    private readonly RmsNorm _outputNorm;
    private readonly int _hiddenSize;

    public MtpHead(MtpWeights weights, GlmConfig config)
    {
        _w = weights;
        _embeddingNorm = new RmsNorm(weights.ENorm, config.RmsNormEps);
        _hiddenNorm = new RmsNorm(weights.HNorm, config.RmsNormEps);
        _outputNorm = new RmsNorm(weights.SharedHeadNorm, config.RmsNormEps);
        _hiddenSize = config.HiddenSize;
        Block = new DecoderLayer(weights.Block, config);
    }

    public DecoderLayer Block { get; }

    /// <summary>The MTP's own embedding copy, when the checkpoint carries one.</summary>
    public LinearWeight? Embedding => _w.EmbedTokens;

    /// <summary>The MTP's own lm_head copy, when the checkpoint carries one.</summary>
    public LinearWeight? Head => _w.SharedHeadHead;

    /// <summary>
    /// embedded [T, d] = Emb(next tokens), hidden [T, d] = target h_i; writes shared_head.norm(z) into
    /// <paramref name="output"/> [T, d], and z itself into <paramref name="preNormOutput"/> when it is not empty.
    /// </summary>
    public void Forward(StepContext context, ReadOnlySpan<float> embedded, ReadOnlySpan<float> hidden, Span<float> output, Span<float> preNormOutput = default)
    {
        int tokens = context.TokenCount, d = _hiddenSize;
        var joined = context.Workspace.Get(ForwardWorkspace.Slot.MtpJoined, tokens * 2 * d);   // [T, 2d] = [enorm(e) | hnorm(h)]
        for (int t = 0; t < tokens; t++)
        {
            _embeddingNorm.Apply(context, embedded.Slice(t * d, d), joined.Slice(t * 2 * d, d));
            _hiddenNorm.Apply(context, hidden.Slice(t * d, d), joined.Slice(t * 2 * d + d, d));
        }
        var z = context.Workspace.Get(ForwardWorkspace.Slot.MtpInput, tokens * d);             // [T, d] u, then z
        context.Backend.MatMul(_w.EhProj, joined, tokens, z);
        Block.Forward(context, z);
        if (!preNormOutput.IsEmpty)
            z.CopyTo(preNormOutput);
        _outputNorm.Apply(context, z, output);
    }
}
