using System.Globalization;
using System.Text.Json;
using GlmRuntime.Checkpoints.Quantization;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm eval-quant --reference DIR --candidate DIR [--prompts FILE] [--greedy N] [--count N] [--length N] [--json]</c>:
/// a quantized checkpoint against its reference on the same token sequences (<see cref="QuantizationEvaluator"/>).
/// Prompts are JSON lines with <c>ids</c> (token ids) or <c>text</c> (encoded with the reference's tokenizer); without a
/// file, <c>--count</c> seeded random sequences of <c>--length</c> tokens.
/// </summary>
internal static class EvalQuantCommand
{
    public const string Usage = "glm eval-quant --reference DIR --candidate DIR [--prompts FILE.jsonl] [--greedy N] [--count N] [--length N] [--json]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: ["reference", "candidate", "prompts", "greedy", "count", "length"], flags: ["json"]);
        a.RejectPositional();
        string reference = a.RequiredOption("reference"), candidate = a.RequiredOption("candidate");
        int greedy = a.IntOption("greedy") ?? 16;
        if (greedy < 0)
            throw new UsageException("option '--greedy' must not be negative");
        IReadOnlyList<int[]> prompts = a.Option("prompts") is { } file
            ? ReadPrompts(file, reference)
            : QuantizationEvaluator.RandomPrompts(Configuration.GlmConfig.Load(reference).VocabSize,
                Positive(a.IntOption("count") ?? 8, "count"), Positive(a.IntOption("length") ?? 32, "length"));
        var result = QuantizationEvaluator.Evaluate(reference, candidate, prompts, greedy, cancellationToken);
        if (a.Flag("json"))
        {
            output.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        output.WriteLine($"{candidate} against {reference}: {result.Sequences} sequences, {result.Positions} positions");
        output.WriteLine("| metric | value |");
        output.WriteLine("|---|---:|");
        foreach (var (name, value) in new (string, string)[]
        {
            ("KL(ref ‖ cand) mean / p99 / max (nats)", string.Format(CultureInfo.InvariantCulture, "{0:G4} / {1:G4} / {2:G4}", result.MeanKl, result.P99Kl, result.MaxKl)),
            ("top-1 agreement", result.Top1Agreement.ToString("P2", CultureInfo.InvariantCulture)),
            ("indexer top-k differs (queries / keys)", string.Format(CultureInfo.InvariantCulture, "{0:P2} / {1:P2} of {2}", result.IndexerTopKDifferRate, result.IndexerKeyDifferFraction, result.IndexerQueries)),
            ("router experts differ (tokens / experts)", string.Format(CultureInfo.InvariantCulture, "{0:P2} / {1:P2} of {2}", result.RouterDifferRate, result.RouterExpertDifferFraction, result.RoutedTokens)),
            ($"greedy continuation ({result.GreedyTokens} tokens): same tokens / prefix agreement / exact", string.Format(CultureInfo.InvariantCulture, "{0:P2} / {1:P2} / {2:P2}", result.GreedyTokenAgreement, result.GreedyPrefixAgreement, result.GreedyExactMatchRate)),
        })
            output.WriteLine($"| {name} | {value} |");
        return 0;
    }

    private static int Positive(int value, string option) =>
        value >= 2 || (option == "count" && value >= 1) ? value : throw new UsageException($"option '--{option}' is too small");

    private static List<int[]> ReadPrompts(string path, string reference)
    {
        GlmTokenizer? tokenizer = null;
        var prompts = new List<int[]>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("ids", out var ids))
                prompts.Add(ids.EnumerateArray().Select(i => i.GetInt32()).ToArray());
            else if (root.TryGetProperty("text", out var text))
                prompts.Add((tokenizer ??= GlmTokenizer.FromFile(reference)).Encode(text.GetString() ?? ""));
            else
                throw new InvalidDataException($"{path}:{lineNumber}: each line needs \"ids\" or \"text\".");
        }
        return prompts;
    }
}
