using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;

namespace GlmRuntime.Tests.Compute;

/// <summary>noaux_tc routing (MODEL.md §3.8, §6.5 item 5).</summary>
[TestFixture]
public sealed class MoeRoutingTests
{
    private static readonly RoutingSettings Glm = new(ExpertCount: 4, ExpertsPerToken: 2, GroupCount: 1, GroupsKept: 1,
        NormalizeTopK: true, ScalingFactor: 2.5f, SoftmaxScoring: false);

    private static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));

    [Test]
    public void The_bias_changes_the_choice_but_the_weights_use_the_unbiased_scores()
    {
        float[] logits = [2.0f, 1.0f, 0.0f, -1.0f];
        int[] experts = new int[2];
        float[] weights = new float[2];

        MoeKernels.Route(logits, [0, 0, 0, 0], Glm, experts, weights);
        Assert.That(experts, Is.EqualTo(new[] { 0, 1 }));

        MoeKernels.Route(logits, [0, 0, 0, 3f], Glm, experts, weights);
        Assert.That(experts, Is.EqualTo(new[] { 0, 3 }), "the bias pulls expert 3 in");
        float s0 = Sigmoid(2), s3 = Sigmoid(-1);
        Assert.That(weights[0], Is.EqualTo(2.5f * s0 / (s0 + s3)).Within(1e-6));
        Assert.That(weights[1], Is.EqualTo(2.5f * s3 / (s0 + s3)).Within(1e-6));
        Assert.That(weights.Sum(), Is.EqualTo(2.5f).Within(1e-6), "normalized weights sum to routed_scaling_factor");
    }

    [Test]
    public void Without_normalization_the_weights_are_scaled_sigmoids()
    {
        float[] logits = [2.0f, 1.0f, 0.0f, -1.0f];
        int[] experts = new int[2];
        float[] weights = new float[2];
        MoeKernels.Route(logits, [], Glm with { NormalizeTopK = false }, experts, weights);
        Assert.That(weights, Is.EqualTo(new[] { 2.5f * Sigmoid(2), 2.5f * Sigmoid(1) }).Within(1e-6));
    }

    [Test]
    public void Group_limited_routing_keeps_the_group_with_the_best_top2_sum_even_when_choices_are_negative()
    {
        // Two groups of 4. Group 0 holds the single best expert, group 1 the best pair; bias makes everything negative.
        float[] logits = [4f, -4f, -4f, -4f, 1.5f, 1.5f, -4f, -4f];
        float[] bias = Enumerable.Repeat(-2f, 8).ToArray();
        var settings = new RoutingSettings(8, 2, GroupCount: 2, GroupsKept: 1, NormalizeTopK: true, ScalingFactor: 1f, SoftmaxScoring: false);
        int[] experts = new int[2];
        float[] weights = new float[2];
        MoeKernels.Route(logits, bias, settings, experts, weights);
        Assert.That(experts, Is.EqualTo(new[] { 4, 5 }));
    }

    [Test]
    public void Several_tokens_route_independently_and_come_back_sorted_by_expert_id()
    {
        float[] logits = [0f, 0f, 3f, 1f, /* token 1 */ 1f, 3f, 0f, 0f];
        int[] experts = new int[4];
        float[] weights = new float[4];
        MoeKernels.Route(logits, [], Glm, experts, weights);
        Assert.That(experts, Is.EqualTo(new[] { 2, 3, 0, 1 }));
    }
}
