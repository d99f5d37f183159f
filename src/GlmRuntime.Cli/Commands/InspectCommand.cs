using System.Globalization;
using System.Text.Json;
using GlmRuntime.Weights;

namespace GlmRuntime.Cli.Commands;

/// <summary><c>glm inspect MODEL_DIR [--json]</c>: config summary, parameter counts and each tensor's decided format.</summary>
internal static class InspectCommand
{
    public const string Usage = "glm inspect MODEL_DIR [--json]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: [], flags: ["json"]);
        string directory = a.SinglePositional("MODEL_DIR");
        using GlmWeights weights = GlmWeights.Load(directory, cancellationToken: cancellationToken);
        CheckpointReport report = CheckpointReport.Create(weights);
        if (a.Flag("json"))
            WriteJson(report, output);
        else
            WriteText(report, output);
        return 0;
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static void WriteText(CheckpointReport r, TextWriter o)
    {
        var c = r.Config;
        o.WriteLine($"Model        {r.Directory}");
        o.WriteLine($"Architecture {string.Join(", ", c.Architectures)} ({c.ModelType}), dtype {c.DType ?? "?"}");
        int moeLayers = Enumerable.Range(0, c.NumHiddenLayers).Count(c.IsMoeLayer);
        o.WriteLine($"Layers       {c.NumHiddenLayers} ({c.NumHiddenLayers - moeLayers} dense, {moeLayers} MoE) + {c.NumNextnPredictLayers} MTP; hidden {c.HiddenSize}, vocab {c.VocabSize}");
        o.WriteLine($"MLA          {c.NumAttentionHeads} heads, q_lora {c.QLoraRank}, kv_lora {c.KvLoraRank}, qk {c.QkNopeHeadDim}+{c.QkRopeHeadDim}, v {c.VHeadDim}, softmax scale {c.SoftmaxScale:G6}");
        o.WriteLine($"Indexer      {c.IndexNHeads} heads × {c.IndexHeadDim}, top-k {c.IndexTopK}, RoPE {(c.IndexerRopeInterleave ? "interleaved" : "half-split")} (MLA {(c.RopeInterleave ? "interleaved" : "half-split")})");
        o.WriteLine($"MoE          {c.NRoutedExperts} experts, top-{c.NumExpertsPerTok}, {c.NSharedExperts} shared, groups {c.NGroup}/{c.TopkGroup}, {c.TopkMethod}/{c.ScoringFunc}, scale {c.RoutedScalingFactor}");
        o.WriteLine($"RoPE         θ = {c.Rope.Theta}, {c.Rope.Type}{(c.Rope.IsYarn ? $" ×{c.Rope.Factor} from {c.Rope.OriginalMaxPositionEmbeddings}" : "")}; max positions {c.MaxPositionEmbeddings}");
        o.WriteLine($"Quantization {c.Quantization?.Method ?? "none"} (config); formats below are decided from the tensors");
        o.WriteLine($"Parameters   {Count(r.TotalParameters)} total ({Count(r.TotalParameters - r.MtpParameters)} main + {Count(r.MtpParameters)} MTP); {Count(r.ActiveParametersPerToken)} active per token (embedding and MTP excluded)");
        o.WriteLine($"Files        {r.TensorCount} tensors, {Count(r.FileBytes)} bytes");
        o.WriteLine();
        o.WriteLine("Formats:");
        foreach (var g in r.Formats.OrderBy(g => g.Pattern, StringComparer.Ordinal))
            o.WriteLine($"  {g.Format,-8} {g.Count,6} × {g.Shape,-14} {g.Pattern}");
        var totals = r.Formats.GroupBy(g => g.Format).Select(g => $"{g.Key} {g.Sum(x => x.Count)}");
        o.WriteLine($"  total: {string.Join(", ", totals)}");
        if (r.Disagreements.Count > 0)
        {
            o.WriteLine();
            o.WriteLine($"Config/tensor disagreements ({r.Disagreements.Count}, resolved in favour of the tensors):");
            foreach (var d in r.Disagreements)
                o.WriteLine($"  ! {d}");
        }
        foreach (string w in r.Warnings)
            o.WriteLine($"warning: {w}");
    }

    private static void WriteJson(CheckpointReport r, TextWriter o)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var c = r.Config;
            w.WriteStartObject();
            w.WriteString("directory", r.Directory);
            w.WriteString("model_type", c.ModelType);
            w.WriteStartObject("config");
            w.WriteNumber("vocab_size", c.VocabSize);
            w.WriteNumber("hidden_size", c.HiddenSize);
            w.WriteNumber("num_hidden_layers", c.NumHiddenLayers);
            w.WriteNumber("num_nextn_predict_layers", c.NumNextnPredictLayers);
            w.WriteNumber("n_routed_experts", c.NRoutedExperts);
            w.WriteNumber("num_experts_per_tok", c.NumExpertsPerTok);
            w.WriteNumber("index_topk", c.IndexTopK);
            w.WriteString("quant_method", c.Quantization?.Method);
            w.WriteEndObject();
            w.WriteNumber("tensor_count", r.TensorCount);
            w.WriteNumber("file_bytes", r.FileBytes);
            w.WriteStartObject("parameters");
            w.WriteNumber("total", r.TotalParameters);
            w.WriteNumber("main", r.TotalParameters - r.MtpParameters);
            w.WriteNumber("mtp", r.MtpParameters);
            w.WriteNumber("active_per_token", r.ActiveParametersPerToken);
            w.WriteEndObject();
            w.WriteStartObject("format_counts");
            foreach (var g in r.Formats.GroupBy(g => g.Format).OrderBy(g => g.Key))
                w.WriteNumber(g.Key.ToString(), g.Sum(x => x.Count));
            w.WriteEndObject();
            w.WriteStartArray("formats");
            foreach (var g in r.Formats.OrderBy(g => g.Pattern, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("pattern", g.Pattern);
                w.WriteString("format", g.Format.ToString());
                w.WriteNumber("count", g.Count);
                w.WriteString("shape", g.Shape);
                w.WriteNumber("stored_bytes", g.StoredBytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("disagreements");
            foreach (var d in r.Disagreements)
            {
                w.WriteStartObject();
                w.WriteString("module", d.Module);
                w.WriteString("config_rule", d.ConfigRule);
                w.WriteString("config_expects", d.ConfigExpects);
                w.WriteString("checkpoint_has", d.CheckpointHas);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("warnings");
            foreach (string warning in r.Warnings)
                w.WriteStringValue(warning);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        o.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
