namespace GlmRuntime.Configuration;

/// <summary>
/// The model's config.json (MODEL.md §1): GLM-5 (<c>glm_moe_dsa</c>) and DeepSeek-V3.2 (<c>deepseek_v32</c>)
/// keys, with the GLM-5.2 additions accepted and defaulted off. Load with <see cref="Load"/> or
/// <see cref="Parse"/>; both validate every key and name the key and file on error.
/// </summary>
public sealed record GlmConfig
{
    /// <summary>config.json's <c>model_type</c>.</summary>
    public required string ModelType { get; init; }
    /// <summary>config.json's <c>architectures</c>.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];
    /// <summary>Rows of the embedding and lm_head (V).</summary>
    public required int VocabSize { get; init; }
    /// <summary>Residual width (d).</summary>
    public required int HiddenSize { get; init; }
    /// <summary>SwiGLU width of the dense layers (I).</summary>
    public required int IntermediateSize { get; init; }
    /// <summary>SwiGLU width of each routed expert and of each shared expert (I_E).</summary>
    public required int MoeIntermediateSize { get; init; }
    /// <summary>Main decoder layers, MTP excluded (L).</summary>
    public required int NumHiddenLayers { get; init; }
    /// <summary>MLA query heads (n_h).</summary>
    public required int NumAttentionHeads { get; init; }
    /// <summary>Nominal only: MLA ignores it.</summary>
    public int NumKeyValueHeads { get; init; }
    /// <summary>HF's <c>head_dim</c> (used as the rotary dim by HF); recorded, not used.</summary>
    public int? HeadDim { get; init; }
    /// <summary>Query latent rank (r_q).</summary>
    public required int QLoraRank { get; init; }
    /// <summary>KV latent rank, the cached part (r_kv).</summary>
    public required int KvLoraRank { get; init; }
    /// <summary>Per-head q/k part without RoPE (d_n).</summary>
    public required int QkNopeHeadDim { get; init; }
    /// <summary>Per-head q/k part with RoPE, a single shared key head (d_r).</summary>
    public required int QkRopeHeadDim { get; init; }
    /// <summary>Per-head value width (d_v).</summary>
    public required int VHeadDim { get; init; }
    /// <summary>d_n + d_r.</summary>
    public int QkHeadDim => QkNopeHeadDim + QkRopeHeadDim;
    /// <summary>Lightning-indexer heads (H_I).</summary>
    public required int IndexNHeads { get; init; }
    /// <summary>Indexer head dim (D_I); its first d_r dims get RoPE.</summary>
    public required int IndexHeadDim { get; init; }
    /// <summary>Keys kept per query by DeepSeek Sparse Attention (k_I).</summary>
    public required int IndexTopK { get; init; }
    /// <summary>Indexer RoPE pairs adjacent dims (GPT-J) when true, halves when false.</summary>
    public bool IndexerRopeInterleave { get; init; }
    /// <summary>MLA RoPE pairs adjacent dims when true (HF default), halves when false.</summary>
    public bool RopeInterleave { get; init; } = true;
    /// <summary>Routed experts (E).</summary>
    public required int NRoutedExperts { get; init; }
    /// <summary>Shared experts per MoE layer.</summary>
    public int NSharedExperts { get; init; } = 1;
    /// <summary>Experts chosen per token (k_E).</summary>
    public required int NumExpertsPerTok { get; init; }
    /// <summary>Expert groups for group-limited routing.</summary>
    public int NGroup { get; init; } = 1;
    /// <summary>Groups kept per token.</summary>
    public int TopkGroup { get; init; } = 1;
    /// <summary>"noaux_tc" (correction bias for selection only) or "greedy".</summary>
    public string TopkMethod { get; init; } = "noaux_tc";
    /// <summary>"sigmoid" or "softmax".</summary>
    public string ScoringFunc { get; init; } = "sigmoid";
    /// <summary>Renormalize the selected routing weights.</summary>
    public bool NormTopkProb { get; init; } = true;
    /// <summary>Multiplies the routed weights.</summary>
    public double RoutedScalingFactor { get; init; } = 1.0;
    /// <summary>Layers below this index use a dense MLP.</summary>
    public int FirstKDenseReplace { get; init; }
    /// <summary>MoE every this many layers from <see cref="FirstKDenseReplace"/> on.</summary>
    public int MoeLayerFreq { get; init; } = 1;
    /// <summary>Activation of the MLPs ("silu").</summary>
    public string HiddenAct { get; init; } = "silu";
    /// <summary>RMSNorm epsilon.</summary>
    public required double RmsNormEps { get; init; }
    /// <summary>Rotary embedding parameters.</summary>
    public required RopeConfig Rope { get; init; }
    /// <summary>Longest supported context.</summary>
    public int MaxPositionEmbeddings { get; init; }
    /// <summary>MTP layers, stored at index L.</summary>
    public int NumNextnPredictLayers { get; init; }
    /// <summary>lm_head shares the embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }
    /// <summary>Linear layers of attention carry biases (false for GLM-5).</summary>
    public bool AttentionBias { get; init; }
    /// <summary>End-of-sequence ids (GLM-5: endoftext, user, observation).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    /// <summary>Beginning-of-sequence id, when declared (unused by GLM-5).</summary>
    public int? BosTokenId { get; init; }
    /// <summary>Padding id, when declared.</summary>
    public int? PadTokenId { get; init; }
    /// <summary>Stored dtype name ("bfloat16").</summary>
    public string? DType { get; init; }
    /// <summary>The checkpoint's quantization_config, when present.</summary>
    public QuantizationConfig? Quantization { get; init; }

    /// <summary>GLM-5.2: a full indexer runs every this many layers (1 = every layer).</summary>
    public int IndexTopkFreq { get; init; } = 1;
    /// <summary>GLM-5.2: offset of the shared-indexer pattern.</summary>
    public int IndexSkipTopkOffset { get; init; }
    /// <summary>GLM-5.2: explicit "F"/"S" pattern, when given.</summary>
    public string? IndexTopkPattern { get; init; }
    /// <summary>GLM-5.2: explicit per-layer "full"/"shared" list, when given.</summary>
    public IReadOnlyList<string>? IndexerTypes { get; init; }
    /// <summary>GLM-5.2: the MTP reuses the indexer selection across draft iterations.</summary>
    public bool IndexShareForMtpIteration { get; init; }
    /// <summary>GLM-5.2: router compute dtype ("float32").</summary>
    public string? MoeRouterDType { get; init; }

    /// <summary>Index of the MTP layer in checkpoint names (= <see cref="NumHiddenLayers"/>).</summary>
    public int MtpLayerIndex => NumHiddenLayers;

    /// <summary>True when main layer <paramref name="layer"/> (or the MTP layer) uses the MoE.</summary>
    public bool IsMoeLayer(int layer) =>
        layer >= NumHiddenLayers || (layer >= FirstKDenseReplace && layer % MoeLayerFreq == 0);

    /// <summary>True when main layer <paramref name="layer"/> runs its own indexer (GLM-5: every layer).</summary>
    public bool HasFullIndexer(int layer)
    {
        if (layer >= NumHiddenLayers)
            return true; // the MTP layer always builds its indexer
        if (IndexerTypes is not null)
            return IndexerTypes[layer] == "full";
        if (IndexTopkPattern is not null)
            return IndexTopkPattern[layer] == 'F';
        return Math.Max(layer - IndexSkipTopkOffset + 1, 0) % IndexTopkFreq == 0;
    }

    /// <summary>MLA softmax scale: qk_head_dim^−0.5, times YaRN's mscale² when scaled.</summary>
    public double SoftmaxScale
    {
        get
        {
            double scale = 1.0 / Math.Sqrt(QkHeadDim);
            if (Rope.IsYarn && Rope.MscaleAllDim > 0 && Rope.Factor > 1)
            {
                double m = 0.1 * Rope.MscaleAllDim * Math.Log(Rope.Factor) + 1.0;
                scale *= m * m;
            }
            return scale;
        }
    }

    /// <summary>Reads and validates <c>config.json</c> (a file, or a model folder containing it).</summary>
    /// <exception cref="ConfigException">A key is missing or invalid.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static GlmConfig Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file))
            throw new FileNotFoundException($"config.json not found at '{file}'.", file);
        return Parse(File.ReadAllText(file), Path.GetFullPath(file));
    }

    /// <summary>Parses and validates config.json text; <paramref name="sourceName"/> names the file in errors.</summary>
    /// <exception cref="ConfigException">A key is missing or invalid.</exception>
    public static GlmConfig Parse(string json, string sourceName = "config.json") => GlmConfigParser.Parse(json, sourceName);
}
