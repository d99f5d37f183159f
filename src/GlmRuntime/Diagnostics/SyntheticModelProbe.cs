using System.Diagnostics;
using GlmRuntime.Checkpoints;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Model;
using GlmRuntime.Weights;

namespace GlmRuntime.Diagnostics;

/// <summary>
/// The synthetic GLM-5-shaped model (<see cref="TinyCheckpointWriter.SyntheticGlm5ConfigJson"/>, MXFP4): its active
/// weight bytes per token, batched decode steps and prefill, driven straight through <see cref="GlmModel"/> (no
/// scheduler or sampling), so the figures are the forward pass's own.
/// </summary>
internal static class SyntheticModelProbe
{
    private const string Version = "synthetic-glm5-mxfp4-v2";

    /// <summary>The default folder: under the temp folder, reused across runs.</summary>
    public static string DefaultDirectory => Path.Combine(Path.GetTempPath(), "glmruntime-" + Version);

    /// <summary>Writes the model into <paramref name="directory"/> unless a complete copy of this version is there.</summary>
    public static void EnsureWritten(string directory, Action<string>? log = null)
    {
        string marker = Path.Combine(directory, "synthetic.version");
        if (File.Exists(marker) && File.ReadAllText(marker) == Version)
            return;
        log?.Invoke($"writing the synthetic GLM-5-shaped model to {directory} (once)");
        TinyCheckpointWriter.Write(directory, TinyCheckpointWriter.SyntheticGlm5Config(),
            new TinyCheckpointOptions { Format = TinyCheckpointFormat.Mxfp4, RandomPacked = true, Seed = 6 });
        File.WriteAllText(marker, Version);
    }

    /// <summary>
    /// Weight bytes one decode token reads: every matrix of the main layers and the lm_head, routed experts scaled
    /// by k/E (a token uses k of them), one embedding row; the MTP layer is not part of a target forward.
    /// </summary>
    public static long ActiveBytesPerToken(GlmWeights weights)
    {
        var config = weights.Config;
        double bytes = weights.Embedding.StoredBytes / (double)weights.Embedding.OutFeatures + weights.LmHead.StoredBytes;
        double expertShare = (double)config.NumExpertsPerTok / Math.Max(1, config.NRoutedExperts);
        foreach (var w in weights.AllLinearWeights())
        {
            if (ReferenceEquals(w, weights.Embedding) || ReferenceEquals(w, weights.LmHead) || w.Name.Contains($".layers.{config.NumHiddenLayers}.", StringComparison.Ordinal))
                continue;
            bytes += w.Name.Contains(".mlp.experts.", StringComparison.Ordinal) ? w.StoredBytes * expertShare : w.StoredBytes;
        }
        return (long)bytes;
    }

    /// <summary>
    /// Decode tokens/s at <paramref name="batch"/> sequences of <paramref name="context"/> tokens: one forward per step
    /// over one token of each sequence; each step's token is dropped again so the context stays fixed.
    /// </summary>
    public static double DecodeTokensPerSecond(GlmModel model, int batch, int context, int steps)
    {
        var sequences = Enumerable.Range(0, batch).Select(_ => model.CreateSequence()).ToArray();
        int vocab = model.Config.VocabSize;
        var prompt = Enumerable.Range(0, batch * context).Select(i => 2 + i * 37 % (vocab - 2)).ToArray();
        var positions = Enumerable.Range(0, batch * context).Select(i => i % context).ToArray();
        var prefill = sequences.Select((s, i) => new BatchSegment(s, i * context, context, AttentionForm.Auto, 1)).ToArray();
        model.Forward(new ForwardBatch(prompt, positions, prefill));

        var tokens = Enumerable.Range(0, batch).Select(i => 2 + i * 11 % (vocab - 2)).ToArray();
        var decodePositions = Enumerable.Repeat(context, batch).ToArray();
        var segments = sequences.Select((s, i) => new BatchSegment(s, i, 1, AttentionForm.Absorbed, 1)).ToArray();
        var step = new ForwardBatch(tokens, decodePositions, segments);
        void Step()
        {
            model.Forward(step);
            foreach (var s in sequences)
                s.Truncate(context);
        }
        MachineProbe.WarmUp(Step, minCalls: 40, minSeconds: 1, maxSeconds: 8);
        return MachineProbe.Median(3, () =>
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < steps; i++)
                Step();
            return (double)batch * steps / Stopwatch.GetElapsedTime(start).TotalSeconds;
        });
    }

    /// <summary>Prefill tokens/s of one <paramref name="length"/>-token prompt (one chunk, last logits only).</summary>
    public static double PrefillTokensPerSecond(GlmModel model, int length, int repetitions)
    {
        int vocab = model.Config.VocabSize;
        var prompt = Enumerable.Range(0, length).Select(i => 2 + i * 53 % (vocab - 2)).ToArray();
        MachineProbe.WarmUp(() => model.Forward(model.CreateSequence(), prompt.AsSpan(0, Math.Min(length, 16)), allLogits: false),
            minCalls: 40, minSeconds: 1, maxSeconds: 8);
        return MachineProbe.Median(repetitions, () =>
        {
            var sequence = model.CreateSequence();
            long start = Stopwatch.GetTimestamp();
            model.Forward(sequence, prompt, allLogits: false);
            return length / Stopwatch.GetElapsedTime(start).TotalSeconds;
        });
    }

    /// <summary>Loads the model on a CPU backend of <paramref name="threads"/> threads.</summary>
    public static GlmModel Load(string directory, int threads, int maxSequenceLength,
        CpuActivationPrecision activations = CpuActivationPrecision.Float32) =>
        new(GlmWeights.Load(directory), new CpuBackend(threads, activations: activations), maxSequenceLength);
}
