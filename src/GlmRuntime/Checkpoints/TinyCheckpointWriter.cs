using System.Text.Json;
using GlmRuntime.Configuration;
using GlmRuntime.Tensors;

namespace GlmRuntime.Checkpoints;

/// <summary>
/// Writes a random GLM-5-architecture checkpoint in Hugging Face layout (config.json,
/// generation_config.json, safetensors, optional shards + index, optional Quark-MXFP4 or FP8-block
/// weights) for tests, benchmarks and the console chat's demo model. Weights follow MODEL.md §6.4 so that
/// indexer and router selections are not tie-breaks: norms 1 + U(−0.2, 0.2), indexer/router matrices with
/// std 0.2, router bias U(−0.5, 0.5), other matrices N(0, 1/in_features).
/// </summary>
public static class TinyCheckpointWriter
{
    /// <summary>The tiny test config of MODEL.md §6 (vocab 256, hidden 64, 3 layers + MTP).</summary>
    public const string TinyConfigJson = """
        {"architectures":["GlmMoeDsaForCausalLM"],"model_type":"glm_moe_dsa","vocab_size":256,
         "hidden_size":64,"intermediate_size":128,"moe_intermediate_size":32,"num_hidden_layers":3,
         "first_k_dense_replace":1,"moe_layer_freq":1,"num_attention_heads":4,"num_key_value_heads":4,
         "q_lora_rank":32,"kv_lora_rank":16,"qk_nope_head_dim":16,"qk_rope_head_dim":8,"qk_head_dim":24,
         "head_dim":8,"v_head_dim":16,"index_n_heads":4,"index_head_dim":16,"index_topk":4,
         "rope_interleave":true,"indexer_rope_interleave":true,"n_routed_experts":8,"n_shared_experts":1,
         "num_experts_per_tok":2,"n_group":1,"topk_group":1,"topk_method":"noaux_tc","scoring_func":"sigmoid",
         "norm_topk_prob":true,"routed_scaling_factor":2.5,"hidden_act":"silu","rms_norm_eps":1e-5,
         "rope_parameters":{"rope_theta":10000,"rope_type":"default"},"max_position_embeddings":512,
         "num_nextn_predict_layers":1,"tie_word_embeddings":false,"attention_bias":false,
         "attention_dropout":0.0,"eos_token_id":[1],"pad_token_id":0,"initializer_range":0.02,"dtype":"bfloat16"}
        """;

    /// <summary>
    /// A GLM-5-shaped model this machine can hold, for CPU speed work (issue 6): hidden 2048, 6 layers with the first
    /// dense, 64 routed experts top-8 of width 512 plus one shared expert, MLA with GLM-5's head dims (nope 192,
    /// rope 64, v 256, kv rank 512), the DSA indexer with top-k 256, a vocabulary of 8192 and no MTP layer. Written
    /// with <see cref="TinyCheckpointFormat.Mxfp4"/> and <see cref="TinyCheckpointOptions.RandomPacked"/> it is
    /// ≈0.75 GB, of which ≈0.2 GB are read per token.
    /// </summary>
    public const string SyntheticGlm5ConfigJson = """
        {"architectures":["GlmMoeDsaForCausalLM"],"model_type":"glm_moe_dsa","vocab_size":8192,
         "hidden_size":2048,"intermediate_size":6144,"moe_intermediate_size":512,"num_hidden_layers":6,
         "first_k_dense_replace":1,"moe_layer_freq":1,"num_attention_heads":16,"num_key_value_heads":16,
         "q_lora_rank":768,"kv_lora_rank":512,"qk_nope_head_dim":192,"qk_rope_head_dim":64,"qk_head_dim":256,
         "head_dim":64,"v_head_dim":256,"index_n_heads":16,"index_head_dim":128,"index_topk":256,
         "rope_interleave":true,"indexer_rope_interleave":true,"n_routed_experts":64,"n_shared_experts":1,
         "num_experts_per_tok":8,"n_group":1,"topk_group":1,"topk_method":"noaux_tc","scoring_func":"sigmoid",
         "norm_topk_prob":true,"routed_scaling_factor":2.5,"hidden_act":"silu","rms_norm_eps":1e-5,
         "rope_parameters":{"rope_theta":1000000,"rope_type":"default"},"max_position_embeddings":4096,
         "num_nextn_predict_layers":0,"tie_word_embeddings":false,"attention_bias":false,
         "attention_dropout":0.0,"eos_token_id":[1],"pad_token_id":0,"initializer_range":0.02,"dtype":"bfloat16"}
        """;

    /// <summary>The parsed <see cref="SyntheticGlm5ConfigJson"/>.</summary>
    public static GlmConfig SyntheticGlm5Config() => GlmConfig.Parse(SyntheticGlm5ConfigJson, "TinyCheckpointWriter.SyntheticGlm5ConfigJson");

    /// <summary>The parsed <see cref="TinyConfigJson"/>.</summary>
    public static GlmConfig TinyConfig() => GlmConfig.Parse(TinyConfigJson, "TinyCheckpointWriter.TinyConfigJson");

    /// <summary>Writes the checkpoint into <paramref name="directory"/> (created if needed; existing checkpoint files are replaced).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static void Write(string directory, GlmConfig config, TinyCheckpointOptions? options = null)
    {
        options ??= new TinyCheckpointOptions();
        options.Validate();
        Directory.CreateDirectory(directory);
        var random = new DeterministicRandom(options.Seed);
        var entries = TensorManifest.Enumerate(config).ToList();
        var tensors = new List<(string Name, DType DType, long[] Shape, byte[] Data)>();
        foreach (ManifestEntry entry in entries)
            tensors.AddRange(options.RandomPacked && options.Format == TinyCheckpointFormat.Mxfp4 && entry.Role == TensorRole.Linear && IsQuantized(entry.Module, entry.Layer, config, options.Format)
                ? RandomMxfp4(entry, random)
                : Generate(entry, config, options.Format, random, options.PerfectDraft));

        WriteConfig(Path.Combine(directory, "config.json"), config, options.Format, entries);
        WriteGenerationConfig(Path.Combine(directory, "generation_config.json"), config);
        foreach (string stale in Directory.GetFiles(directory, "model*.safetensors*"))
            File.Delete(stale);
        WriteShards(directory, tensors, options.ShardCount);
    }

    private static IEnumerable<(string, DType, long[], byte[])> Generate(ManifestEntry e, GlmConfig c, TinyCheckpointFormat format, DeterministicRandom random,
        bool perfectDraft)
    {
        long count = e.ParameterCount;
        var values = new float[count];
        bool indexerOrRouter = e.Name.Contains(".indexer.", StringComparison.Ordinal) || e.Name.EndsWith(".mlp.gate.weight", StringComparison.Ordinal);
        switch (e.Role)
        {
            case TensorRole.NormWeight:
                for (long i = 0; i < count; i++) values[i] = 1f + random.Uniform(-0.2f, 0.2f);
                break;
            case TensorRole.NormBias:
                for (long i = 0; i < count; i++) values[i] = random.Uniform(-0.2f, 0.2f);
                break;
            case TensorRole.RouterBias:
                for (long i = 0; i < count; i++) values[i] = random.Uniform(-0.5f, 0.5f);
                yield return (e.Name, DType.F32, e.Shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
                yield break;
            default:
                float std = e.Role == TensorRole.Embedding ? 1f : indexerOrRouter ? 0.2f : 1f / MathF.Sqrt(e.Shape[1]);
                for (long i = 0; i < count; i++) values[i] = std * random.Normal();
                break;
        }
        if (perfectDraft)
            MakePerfectDraft(e, values);
        // Quantized formats start from the BF16 values, as a real export does.
        for (long i = 0; i < count; i++)
            values[i] = BFloat16Bits.ToSingle(BFloat16Bits.FromSingle(values[i]));

        string module = e.Module;
        if (e.Role == TensorRole.Linear && IsQuantized(module, e.Layer, c, format))
        {
            int n = (int)e.Shape[0], k = (int)e.Shape[1];
            if (format == TinyCheckpointFormat.Mxfp4)
            {
                int rowBytes = Mxfp4.PackedRowBytes(k), rowScales = Mxfp4.ScalesPerRow(k);
                var packed = new byte[(long)n * rowBytes];
                var scales = new byte[(long)n * rowScales];
                for (int r = 0; r < n; r++)
                    Mxfp4.QuantizeRowQuark(values.AsSpan(r * k, k), packed.AsSpan(r * rowBytes, rowBytes), scales.AsSpan(r * rowScales, rowScales));
                yield return (e.Name, DType.U8, [n, rowBytes], packed);
                yield return (module + ".weight_scale", DType.U8, [n, rowScales], scales);
            }
            else
            {
                int tilesN = Fp8BlockQuantizer.TileCount(n, 128), tilesK = Fp8BlockQuantizer.TileCount(k, 128);
                var q = new byte[(long)n * k];
                var s = new float[tilesN * tilesK];
                Fp8BlockQuantizer.Quantize(values, n, k, 128, q, s);
                yield return (e.Name, DType.F8E4M3, e.Shape, q);
                yield return (module + ".weight_scale_inv", DType.F32, [tilesN, tilesK], System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.AsSpan()).ToArray());
            }
            yield break;
        }
        var bits = new ushort[count];
        for (long i = 0; i < count; i++)
            bits[i] = BFloat16Bits.FromSingle(values[i]);
        yield return (e.Name, DType.BF16, e.Shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()).ToArray());
    }

    private static IEnumerable<(string, DType, long[], byte[])> RandomMxfp4(ManifestEntry e, DeterministicRandom random)
    {
        int n = (int)e.Shape[0], k = (int)e.Shape[1];
        var (packed, scales) = RandomPackedWeights.Mxfp4(random, n, k);
        yield return (e.Name, DType.U8, [n, Mxfp4.PackedRowBytes(k)], packed);
        yield return (e.Module + ".weight_scale", DType.U8, [n, Mxfp4.ScalesPerRow(k)], scales);
    }

    /// <summary>The edits of <see cref="TinyCheckpointOptions.PerfectDraft"/>, on the freshly drawn values of one tensor.</summary>
    private static void MakePerfectDraft(ManifestEntry e, float[] values)
    {
        string name = e.Name;
        if (name.EndsWith(".self_attn.o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal))
        {
            Array.Clear(values);
        }
        else if (name.EndsWith(".eh_proj.weight", StringComparison.Ordinal))
        {
            long d = e.Shape[0];
            Array.Clear(values);
            for (long r = 0; r < d; r++)
                values[r * 2 * d + r] = 1f;   // u = enorm(e): the embedding half, the hidden half ignored
        }
        else if (name is "model.norm.weight" || name.EndsWith(".enorm.weight", StringComparison.Ordinal)
            || name.EndsWith(".shared_head.norm.weight", StringComparison.Ordinal))
        {
            Array.Fill(values, 1f);
        }
    }

    /// <summary>Which Linears each variant quantizes (mirrors the shared tiny checkpoints' recipes).</summary>
    private static bool IsQuantized(string module, int layer, GlmConfig c, TinyCheckpointFormat format)
    {
        if (format == TinyCheckpointFormat.BF16 || layer < 0 || module.EndsWith(".mlp.gate", StringComparison.Ordinal)
            || module.EndsWith(".indexer.weights_proj", StringComparison.Ordinal) || module.EndsWith(".eh_proj", StringComparison.Ordinal))
            return false;
        return format == TinyCheckpointFormat.Fp8 || layer < c.NumHiddenLayers;
    }

    private static void WriteConfig(string path, GlmConfig config, TinyCheckpointFormat format, List<ManifestEntry> entries)
    {
        Action<Utf8JsonWriter>? quantization = format switch
        {
            TinyCheckpointFormat.Mxfp4 => w => Quantization.QuantizationConfigWriter.WriteQuark(w, entries.Where(e => e.Role == TensorRole.Linear && !IsQuantized(e.Module, e.Layer, config, format)).Select(e => e.Module)),
            TinyCheckpointFormat.Fp8 => w => Quantization.QuantizationConfigWriter.WriteFp8(w, entries.Where(e => e.Role == TensorRole.Linear && !IsQuantized(e.Module, e.Layer, config, format)).Select(e => e.Module)),
            _ => null,
        };
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        GlmConfigWriter.Write(writer, config, quantization);
    }

    private static void WriteGenerationConfig(string path, GlmConfig config)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartArray("eos_token_id");
        foreach (int id in config.EosTokenIds)
            w.WriteNumberValue(id);
        w.WriteEndArray();
        if (config.PadTokenId is int pad)
            w.WriteNumber("pad_token_id", pad);
        w.WriteEndObject();
    }

    private static void WriteShards(string directory, List<(string Name, DType DType, long[] Shape, byte[] Data)> tensors, int shardCount)
    {
        if (shardCount == 1)
        {
            var writer = new SafetensorsWriter();
            writer.Metadata["format"] = "pt";
            foreach (var t in tensors)
                writer.Add(t.Name, t.DType, t.Shape, t.Data);
            writer.Write(Path.Combine(directory, Checkpoint.SingleFileName));
            return;
        }
        // Cut by bytes, so a cut may fall inside a layer (as in real shard sets).
        long total = tensors.Sum(t => (long)t.Data.Length), perShard = (total + shardCount - 1) / shardCount, written = 0;
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int index = 0;
        var current = new SafetensorsWriter();
        void Flush()
        {
            string name = $"model-{index + 1:D5}-of-{shardCount:D5}.safetensors";
            current.Metadata["format"] = "pt";
            current.Write(Path.Combine(directory, name));
            index++;
            current = new SafetensorsWriter();
        }
        foreach (var t in tensors)
        {
            if (written >= perShard * (index + 1) && index < shardCount - 1)
                Flush();
            current.Add(t.Name, t.DType, t.Shape, t.Data);
            weightMap[t.Name] = $"model-{index + 1:D5}-of-{shardCount:D5}.safetensors";
            written += t.Data.Length;
        }
        Flush();
        while (index < shardCount)
            Flush(); // more shards than tensors: the trailing shards are empty but valid
        using var stream = File.Create(Path.Combine(directory, Checkpoint.IndexFileName));
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartObject("metadata");
        w.WriteNumber("total_size", total);
        w.WriteEndObject();
        w.WriteStartObject("weight_map");
        foreach (var (name, file) in weightMap)
            w.WriteString(name, file);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
