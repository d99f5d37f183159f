using GlmRuntime.Weights;

namespace GlmRuntime.Model.Layers;

/// <summary>SwiGLU MLP (MODEL.md §3.7): W_down·(SiLU(W_gate·b) ⊙ W_up·b). Also the MoE's shared expert.</summary>
internal sealed class DenseMlp(MlpWeights weights)
{
    public MlpWeights Weights { get; } = weights;

    /// <summary>b [T, d] → output [T, d].</summary>
    public void Forward(StepContext context, ReadOnlySpan<float> input, Span<float> output)
    {
        var backend = context.Backend;
        int tokens = context.TokenCount;
        int width = Weights.Gate.OutFeatures;
        var gate = context.Workspace.Get(ForwardWorkspace.Slot.MlpGate, tokens * width);   // [T, I]
        var up = context.Workspace.Get(ForwardWorkspace.Slot.MlpUp, tokens * width);       // [T, I]
        backend.MatMul(Weights.Gate, input, tokens, gate);
        backend.MatMul(Weights.Up, input, tokens, up);
        backend.SiluMul(gate, up, gate);
        backend.MatMul(Weights.Down, gate, tokens, output);                                // [T, d]
    }
}
