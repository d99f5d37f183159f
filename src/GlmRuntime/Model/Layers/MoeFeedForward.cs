using System.Numerics.Tensors;
using GlmRuntime.Compute;
using GlmRuntime.Configuration;
using GlmRuntime.Weights;

namespace GlmRuntime.Model.Layers;

/// <summary>
/// The routed MoE with its shared expert (MODEL.md §3.8): fp32 router logits, sigmoid scores, the
/// e_score_correction_bias for choosing experts only, group limit, renormalized weights × routed_scaling_factor,
/// plus the unweighted shared expert.
/// </summary>
internal sealed class MoeFeedForward
{
    private readonly MoeWeights _w;
    private readonly DenseMlp? _shared;
    private readonly RoutingSettings _routing;

    public MoeFeedForward(MoeWeights weights, GlmConfig config)
    {
        _w = weights;
        _shared = weights.SharedExperts is { } s ? new DenseMlp(s) : null;
        _routing = new RoutingSettings(config.NRoutedExperts, config.NumExpertsPerTok, config.NGroup, config.TopkGroup,
            config.NormTopkProb, (float)config.RoutedScalingFactor, config.ScoringFunc == "softmax");
    }

    /// <summary>b [T, d] → output [T, d].</summary>
    public void Forward(StepContext context, int layerIndex, ReadOnlySpan<float> input, Span<float> output)
    {
        var backend = context.Backend;
        var ws = context.Workspace;
        int tokens = context.TokenCount;
        int k = _routing.ExpertsPerToken;

        var logits = ws.Get(ForwardWorkspace.Slot.RouterLogits, tokens * _routing.ExpertCount);   // [T, E]
        backend.MatMul(_w.Router, input, tokens, logits);
        var experts = ws.Experts(tokens * k);                                                     // [T, k_E]
        var weights = ws.Get(ForwardWorkspace.Slot.ExpertWeights, tokens * k);                    // [T, k_E]
        backend.Route(logits, _w.CorrectionBias?.Values ?? [], _routing, experts, weights);
        context.Trace?.Routing.Add(layerIndex, (experts.ToArray(), weights.ToArray()));

        backend.MoeExperts(_w.Experts, input, experts, weights, k, output);                       // [T, d]
        if (_shared is not null)
        {
            var shared = ws.Get(ForwardWorkspace.Slot.SharedOut, output.Length);                  // [T, d]
            _shared.Forward(context, input, shared);
            TensorPrimitives.Add(output, shared, output);
        }
    }
}
