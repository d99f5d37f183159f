using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;
using GlmRuntime.Model;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm logits --model DIR --ids 1,2,3 --out FILE.safetensors</c>: one full-sequence forward over the ids, saved as
/// F32 tensors for comparison with other implementations: <c>tokens</c> I32 [T], <c>logits</c> [T, V], <c>hidden</c>
/// [T, d] (after the final norm) and, when the model has an MTP layer and T ≥ 2, <c>mtp_logits</c> [T−1, V] whose
/// slot i pairs hidden i with token i+1 (the golden files' convention, without their extra last slot).
/// </summary>
internal static class LogitsCommand
{
    public const string Usage = "glm logits --model DIR --ids 1,2,3 --out FILE.safetensors";

    public static int Run(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: ["model", "ids", "out"], flags: []);
        a.RejectPositional();
        string directory = a.RequiredOption("model");
        int[] ids = a.IdsOption("ids") ?? throw new UsageException("option '--ids' is required");
        string outPath = a.RequiredOption("out");
        // The config alone names the vocabulary, so bad ids fail before the weights are read.
        Arguments.CheckIdsInVocabulary("ids", ids, GlmConfig.Load(directory).VocabSize);

        using GlmModel model = GlmModel.Load(directory, cancellationToken: cancellationToken);
        GlmConfig config = model.Config;
        int t = ids.Length, v = config.VocabSize, d = config.HiddenSize;
        SequenceState sequence = model.CreateSequence();
        ForwardResult result = model.Forward(sequence, ids, allLogits: true);
        cancellationToken.ThrowIfCancellationRequested();

        var writer = new SafetensorsWriter();
        writer.AddI32("tokens", [t], ids);
        writer.AddF32("logits", [result.LogitRows, v], result.Logits);
        writer.AddF32("hidden", [t, d], result.Hidden);
        string written = $"tokens [{t}], logits [{result.LogitRows}, {v}], hidden [{t}, {d}]";
        if (model.HasMtp && t >= 2)
        {
            // The last hidden row has no next token inside the prompt, so the MTP sees slots 0..T-2.
            float[] mtp = model.ForwardMtp(sequence, result.Hidden.AsSpan(0, (t - 1) * d), ids.AsSpan(1));
            writer.AddF32("mtp_logits", [t - 1, v], mtp);
            written += $", mtp_logits [{t - 1}, {v}]";
        }
        writer.Write(outPath);
        output.WriteLine($"{outPath}: {written}");
        return 0;
    }
}
