using System.Numerics.Tensors;
using System.Text.Json.Serialization;
using GlmRuntime.Diagnostics;
using GlmRuntime.Model;

namespace GlmRuntime.Checkpoints.Quantization;

/// <summary>
/// How far a quantized checkpoint's outputs are from its reference on the same token sequences: per-position KL
/// divergence of the next-token distributions, top-1 agreement, how often the DSA indexer's top-k and the MoE
/// router's experts differ (the two discrete choices quantization can flip), and greedy continuation agreement.
/// </summary>
public static class QuantizationEvaluator
{
    /// <summary>Runs both checkpoints (CPU backend, float32 activations) over <paramref name="prompts"/>.</summary>
    /// <param name="referenceDirectory">The reference checkpoint (e.g. the BF16 release).</param>
    /// <param name="candidateDirectory">The checkpoint to judge.</param>
    /// <param name="prompts">Token sequences, each at least 2 tokens.</param>
    /// <param name="greedyTokens">Tokens generated greedily from each prompt for the continuation comparison.</param>
    /// <param name="cancellationToken">Stops between sequences.</param>
    /// <exception cref="ArgumentException">No prompts, a prompt too short, or the two checkpoints' vocabularies or layer counts differ.</exception>
    public static QuantizationEvaluation Evaluate(string referenceDirectory, string candidateDirectory, IReadOnlyList<int[]> prompts,
        int greedyTokens = 16, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0 || prompts.Any(p => p is null || p.Length < 2))
            throw new ArgumentException("Evaluation needs at least one prompt of at least 2 tokens.", nameof(prompts));
        ArgumentOutOfRangeException.ThrowIfNegative(greedyTokens);
        using var reference = GlmModel.Load(referenceDirectory, cancellationToken: cancellationToken);
        using var candidate = GlmModel.Load(candidateDirectory, cancellationToken: cancellationToken);
        if (reference.Config.VocabSize != candidate.Config.VocabSize || reference.Config.NumHiddenLayers != candidate.Config.NumHiddenLayers)
            throw new ArgumentException(
                $"The checkpoints differ in shape: vocab {reference.Config.VocabSize} vs {candidate.Config.VocabSize}, layers {reference.Config.NumHiddenLayers} vs {candidate.Config.NumHiddenLayers}.",
                nameof(candidateDirectory));
        int vocab = reference.Config.VocabSize;
        foreach (int[] prompt in prompts)
        {
            if (prompt.Any(id => (uint)id >= (uint)vocab))
                throw new ArgumentException($"A prompt holds a token id outside the vocabulary (vocab_size {vocab}).", nameof(prompts));
        }

        var kl = new List<double>();
        int positions = 0, top1Agree = 0, selectionQueries = 0, selectionsDiffer = 0, routedTokens = 0, routesDiffer = 0;
        long selectedKeys = 0, keysDiffer = 0, expertSlots = 0, expertsDiffer = 0;
        int greedyMatched = 0, greedyTotal = 0, exactContinuations = 0, greedySamePosition = 0;
        foreach (int[] prompt in prompts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var referenceTrace = new ForwardTrace();
            var candidateTrace = new ForwardTrace();
            float[] p = reference.Forward(reference.CreateSequence(), prompt, allLogits: true, trace: referenceTrace).Logits;
            float[] q = candidate.Forward(candidate.CreateSequence(), prompt, allLogits: true, trace: candidateTrace).Logits;
            for (int t = 0; t < prompt.Length; t++)
            {
                var pRow = p.AsSpan(t * vocab, vocab);
                var qRow = q.AsSpan(t * vocab, vocab);
                kl.Add(KlDivergence(pRow, qRow));
                positions++;
                if (TensorPrimitives.IndexOfMax(pRow) == TensorPrimitives.IndexOfMax(qRow))
                    top1Agree++;
            }
            foreach (var (layer, (selected, perQuery)) in referenceTrace.Selections)
            {
                var other = candidateTrace.Selections[layer].Selected;
                for (int t = 0; t < selected.Length / perQuery; t++)
                {
                    int differing = SetDifference(selected.AsSpan(t * perQuery, perQuery), other.AsSpan(t * perQuery, perQuery), out int size);
                    selectionQueries++;
                    selectedKeys += size;
                    keysDiffer += differing;
                    if (differing > 0)
                        selectionsDiffer++;
                }
            }
            foreach (var (layer, (experts, _)) in referenceTrace.Routing)
            {
                var other = candidateTrace.Routing[layer].Experts;
                int k = reference.Config.NumExpertsPerTok;
                for (int t = 0; t < experts.Length / k; t++)
                {
                    int differing = SetDifference(experts.AsSpan(t * k, k), other.AsSpan(t * k, k), out int size);
                    routedTokens++;
                    expertSlots += size;
                    expertsDiffer += differing;
                    if (differing > 0)
                        routesDiffer++;
                }
            }

            if (greedyTokens > 0)
            {
                int[] a = Greedy(reference, prompt, greedyTokens), b = Greedy(candidate, prompt, greedyTokens);
                int common = 0;
                while (common < greedyTokens && a[common] == b[common])
                    common++;
                greedyMatched += common;
                for (int i = 0; i < greedyTokens; i++)
                    greedySamePosition += a[i] == b[i] ? 1 : 0;
                greedyTotal += greedyTokens;
                if (common == greedyTokens)
                    exactContinuations++;
            }
        }

        return new QuantizationEvaluation
        {
            Sequences = prompts.Count,
            Positions = positions,
            MeanKl = kl.Average(),
            P99Kl = Percentiles.Of(kl, 99),
            MaxKl = kl.Max(),
            Top1Agreement = (double)top1Agree / positions,
            IndexerQueries = selectionQueries,
            IndexerTopKDifferRate = selectionQueries == 0 ? 0 : (double)selectionsDiffer / selectionQueries,
            IndexerKeyDifferFraction = selectedKeys == 0 ? 0 : (double)keysDiffer / selectedKeys,
            RoutedTokens = routedTokens,
            RouterDifferRate = routedTokens == 0 ? 0 : (double)routesDiffer / routedTokens,
            RouterExpertDifferFraction = expertSlots == 0 ? 0 : (double)expertsDiffer / expertSlots,
            GreedyTokens = greedyTokens,
            GreedyPrefixAgreement = greedyTotal == 0 ? 1 : (double)greedyMatched / greedyTotal,
            GreedyExactMatchRate = greedyTokens == 0 ? 1 : (double)exactContinuations / prompts.Count,
            GreedyTokenAgreement = greedyTotal == 0 ? 1 : (double)greedySamePosition / greedyTotal,
        };
    }

    /// <summary>Seeded random sequences of ordinary token ids, for checkpoints without a tokenizer or prompt file.</summary>
    public static IReadOnlyList<int[]> RandomPrompts(int vocabSize, int count = 8, int length = 32, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(vocabSize)).ToArray()).ToList();
    }

    /// <summary>KL(P‖Q) of the softmaxes of two logit rows, in nats, in double precision.</summary>
    internal static double KlDivergence(ReadOnlySpan<float> p, ReadOnlySpan<float> q)
    {
        double pMax = TensorPrimitives.Max(p), qMax = TensorPrimitives.Max(q);
        double pSum = 0, qSum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            pSum += Math.Exp(p[i] - pMax);
            qSum += Math.Exp(q[i] - qMax);
        }
        double pLog = pMax + Math.Log(pSum), qLog = qMax + Math.Log(qSum), kl = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double lp = p[i] - pLog;
            kl += Math.Exp(lp) * (lp - (q[i] - qLog));
        }
        return Math.Max(0, kl); // rounding can leave a tiny negative
    }

    /// <summary>How many of <paramref name="a"/>'s ids (−1 padding ignored) are not in <paramref name="b"/>; <paramref name="size"/> = |a|.</summary>
    private static int SetDifference(ReadOnlySpan<int> a, ReadOnlySpan<int> b, out int size)
    {
        int differing = 0;
        size = 0;
        foreach (int id in a)
        {
            if (id < 0)
                continue;
            size++;
            if (!b.Contains(id))
                differing++;
        }
        return differing;
    }

    private static int[] Greedy(GlmModel model, int[] prompt, int count)
    {
        var sequence = model.CreateSequence();
        var output = new int[count];
        var step = model.Forward(sequence, prompt, allLogits: false);
        for (int i = 0; i < count && sequence.Length < model.MaxSequenceLength; i++)
        {
            output[i] = TensorPrimitives.IndexOfMax(step.Logits);
            if (i + 1 < count)
                step = model.Forward(sequence, [output[i]], allLogits: false);
        }
        return output;
    }
}

/// <summary>The result of <see cref="QuantizationEvaluator.Evaluate"/>.</summary>
public sealed record QuantizationEvaluation
{
    /// <summary>Token sequences run.</summary>
    [JsonPropertyName("sequences")] public int Sequences { get; init; }

    /// <summary>Positions compared (every prompt token predicts the next).</summary>
    [JsonPropertyName("positions")] public int Positions { get; init; }

    /// <summary>Mean per-position KL(reference ‖ candidate), nats.</summary>
    [JsonPropertyName("kl_mean")] public double MeanKl { get; init; }

    /// <summary>99th percentile of the per-position KL.</summary>
    [JsonPropertyName("kl_p99")] public double P99Kl { get; init; }

    /// <summary>Largest per-position KL.</summary>
    [JsonPropertyName("kl_max")] public double MaxKl { get; init; }

    /// <summary>Fraction of positions whose most likely next token is the same.</summary>
    [JsonPropertyName("top1_agreement")] public double Top1Agreement { get; init; }

    /// <summary>(layer, query) pairs with an indexer selection.</summary>
    [JsonPropertyName("indexer_queries")] public int IndexerQueries { get; init; }

    /// <summary>Fraction of (layer, query) pairs whose indexer top-k set differs at all.</summary>
    [JsonPropertyName("indexer_topk_differ_rate")] public double IndexerTopKDifferRate { get; init; }

    /// <summary>Fraction of selected keys not selected by the candidate.</summary>
    [JsonPropertyName("indexer_key_differ_fraction")] public double IndexerKeyDifferFraction { get; init; }

    /// <summary>(MoE layer, token) pairs routed.</summary>
    [JsonPropertyName("routed_tokens")] public int RoutedTokens { get; init; }

    /// <summary>Fraction of (layer, token) pairs whose expert set differs at all.</summary>
    [JsonPropertyName("router_differ_rate")] public double RouterDifferRate { get; init; }

    /// <summary>Fraction of chosen experts the candidate did not choose.</summary>
    [JsonPropertyName("router_expert_differ_fraction")] public double RouterExpertDifferFraction { get; init; }

    /// <summary>Tokens generated greedily per prompt.</summary>
    [JsonPropertyName("greedy_tokens")] public int GreedyTokens { get; init; }

    /// <summary>Mean fraction of the greedy continuation identical before the first difference.</summary>
    [JsonPropertyName("greedy_prefix_agreement")] public double GreedyPrefixAgreement { get; init; }

    /// <summary>Fraction of greedy tokens equal position by position (each model continuing its own output).</summary>
    [JsonPropertyName("greedy_token_agreement")] public double GreedyTokenAgreement { get; init; }

    /// <summary>Fraction of prompts whose whole greedy continuation is identical.</summary>
    [JsonPropertyName("greedy_exact_match_rate")] public double GreedyExactMatchRate { get; init; }
}
