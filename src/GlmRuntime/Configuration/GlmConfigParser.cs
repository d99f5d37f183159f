using System.Text.Json;

namespace GlmRuntime.Configuration;

/// <summary>Builds a <see cref="GlmConfig"/> from JSON and checks the constraints the model code relies on.</summary>
internal static class GlmConfigParser
{
    private static readonly string[] SupportedModelTypes = ["glm_moe_dsa", "deepseek_v32"];

    public static GlmConfig Parse(string json, string file)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ConfigException(file, "(root)", $"is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ConfigException(file, "(root)", "must be a JSON object");
            var r = new JsonConfigReader(doc.RootElement, file);
            GlmConfig config = Read(r);
            Validate(config, r);
            return config;
        }
    }

    private static GlmConfig Read(JsonConfigReader r)
    {
        string modelType = r.OptionalString("model_type") ?? throw r.Error("model_type", "is required");
        if (!SupportedModelTypes.Contains(modelType))
            throw r.Error("model_type", $"'{modelType}' is not supported (expected one of {string.Join(", ", SupportedModelTypes)})");
        int heads = r.RequiredInt("num_attention_heads");
        int layers = r.RequiredInt("num_hidden_layers");
        return new GlmConfig
        {
            ModelType = modelType,
            Architectures = r.OptionalStringList("architectures") ?? [],
            VocabSize = r.RequiredInt("vocab_size"),
            HiddenSize = r.RequiredInt("hidden_size"),
            IntermediateSize = r.RequiredInt("intermediate_size"),
            MoeIntermediateSize = r.RequiredInt("moe_intermediate_size"),
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = r.Int("num_key_value_heads", heads, min: 1),
            HeadDim = r.OptionalInt("head_dim", min: 1),
            QLoraRank = r.RequiredInt("q_lora_rank"),
            KvLoraRank = r.RequiredInt("kv_lora_rank"),
            QkNopeHeadDim = r.RequiredInt("qk_nope_head_dim"),
            QkRopeHeadDim = r.RequiredInt("qk_rope_head_dim"),
            VHeadDim = r.RequiredInt("v_head_dim"),
            IndexNHeads = r.RequiredInt("index_n_heads"),
            IndexHeadDim = r.RequiredInt("index_head_dim"),
            IndexTopK = r.RequiredInt("index_topk"),
            // DeepSeek-V3.2 configs omit it and use half-split indexer RoPE; GLM-5 sets true.
            IndexerRopeInterleave = r.Bool("indexer_rope_interleave", fallback: false),
            RopeInterleave = r.Bool("rope_interleave", fallback: true),
            NRoutedExperts = r.RequiredInt("n_routed_experts"),
            NSharedExperts = r.Int("n_shared_experts", 1),
            NumExpertsPerTok = r.RequiredInt("num_experts_per_tok"),
            NGroup = r.Int("n_group", 1, min: 1),
            TopkGroup = r.Int("topk_group", 1, min: 1),
            TopkMethod = r.String("topk_method", "noaux_tc"),
            ScoringFunc = r.String("scoring_func", "sigmoid"),
            NormTopkProb = r.Bool("norm_topk_prob", true),
            RoutedScalingFactor = r.Double("routed_scaling_factor", 1.0),
            FirstKDenseReplace = r.Int("first_k_dense_replace", 0),
            MoeLayerFreq = r.Int("moe_layer_freq", 1, min: 1),
            HiddenAct = r.String("hidden_act", "silu"),
            RmsNormEps = r.RequiredDouble("rms_norm_eps"),
            Rope = ReadRope(r),
            MaxPositionEmbeddings = r.Int("max_position_embeddings", 0, min: 1),
            NumNextnPredictLayers = r.Int("num_nextn_predict_layers", 0),
            TieWordEmbeddings = r.Bool("tie_word_embeddings", false),
            AttentionBias = r.Bool("attention_bias", false),
            EosTokenIds = r.IntOrIntList("eos_token_id"),
            BosTokenId = r.OptionalInt("bos_token_id"),
            PadTokenId = r.OptionalInt("pad_token_id"),
            DType = r.OptionalString("dtype") ?? r.OptionalString("torch_dtype"),
            Quantization = QuantizationConfigParser.Read(r),
            IndexTopkFreq = r.Int("index_topk_freq", 1, min: 1),
            IndexSkipTopkOffset = r.Int("index_skip_topk_offset", 0),
            IndexTopkPattern = r.OptionalString("index_topk_pattern"),
            IndexerTypes = r.OptionalStringList("indexer_types"),
            IndexShareForMtpIteration = r.Bool("index_share_for_mtp_iteration", false),
            MoeRouterDType = r.OptionalString("moe_router_dtype"),
        };
    }

    private static RopeConfig ReadRope(JsonConfigReader r)
    {
        // HF v5 writes rope_parameters {rope_theta, rope_type, ...}; older files write rope_theta + rope_scaling.
        JsonConfigReader? parameters = r.Object("rope_parameters");
        JsonConfigReader? scaling = r.Object("rope_scaling");
        double theta = parameters?.OptionalDouble("rope_theta") ?? r.OptionalDouble("rope_theta")
            ?? throw r.Error("rope_theta", "is required (top level or inside rope_parameters)");
        if (theta <= 0)
            throw r.Error("rope_theta", $"must be positive, got {theta}");
        JsonConfigReader? s = parameters is { } p && (p.Has("rope_type") || p.Has("type")) && (p.OptionalString("rope_type") ?? p.OptionalString("type")) != "default"
            ? p : scaling;
        if (s is not { } yarn)
            return new RopeConfig(theta);
        string type = yarn.OptionalString("rope_type") ?? yarn.OptionalString("type") ?? throw yarn.Error("rope_type", "is required");
        if (type == "default")
            return new RopeConfig(theta);
        if (type != "yarn")
            throw yarn.Error("rope_type", $"'{type}' is not supported (expected 'default' or 'yarn')");
        double factor = yarn.RequiredDouble("factor");
        if (factor < 1)
            throw yarn.Error("factor", $"must be ≥ 1, got {factor}");
        return new RopeConfig(
            theta, "yarn", factor,
            yarn.RequiredInt("original_max_position_embeddings"),
            yarn.Double("beta_fast", 32), yarn.Double("beta_slow", 1),
            yarn.Double("mscale", 1), yarn.Double("mscale_all_dim", 0));
    }

    private static void Validate(GlmConfig c, JsonConfigReader r)
    {
        void Require(bool ok, string key, string problem)
        {
            if (!ok)
                throw r.Error(key, problem);
        }

        Require(c.QkRopeHeadDim % 2 == 0, "qk_rope_head_dim", $"must be even, got {c.QkRopeHeadDim}");
        Require(c.IndexHeadDim > c.QkRopeHeadDim, "index_head_dim", $"must exceed qk_rope_head_dim ({c.QkRopeHeadDim}), got {c.IndexHeadDim}");
        Require(c.NRoutedExperts % c.NGroup == 0, "n_group", $"must divide n_routed_experts ({c.NRoutedExperts}), got {c.NGroup}");
        Require(c.TopkGroup <= c.NGroup, "topk_group", $"must be ≤ n_group ({c.NGroup}), got {c.TopkGroup}");
        Require(c.NumExpertsPerTok <= c.NRoutedExperts / c.NGroup * c.TopkGroup, "num_experts_per_tok",
            $"must be ≤ topk_group · n_routed_experts / n_group = {c.NRoutedExperts / c.NGroup * c.TopkGroup}, got {c.NumExpertsPerTok}");
        Require(c.NGroup == 1 || c.NRoutedExperts / c.NGroup >= 2, "n_group", "needs at least 2 experts per group (the group score is a top-2 sum)");
        Require(c.FirstKDenseReplace <= c.NumHiddenLayers, "first_k_dense_replace", $"must be ≤ num_hidden_layers ({c.NumHiddenLayers}), got {c.FirstKDenseReplace}");
        Require(c.TopkMethod is "noaux_tc" or "greedy", "topk_method", $"'{c.TopkMethod}' is not supported (expected noaux_tc or greedy)");
        Require(c.ScoringFunc is "sigmoid" or "softmax", "scoring_func", $"'{c.ScoringFunc}' is not supported (expected sigmoid or softmax)");
        Require(c.HiddenAct == "silu", "hidden_act", $"'{c.HiddenAct}' is not supported (expected silu)");
        Require(c.RmsNormEps > 0, "rms_norm_eps", $"must be positive, got {c.RmsNormEps}");
        Require(c.RoutedScalingFactor > 0, "routed_scaling_factor", $"must be positive, got {c.RoutedScalingFactor}");
        Require(c.NumNextnPredictLayers <= 1, "num_nextn_predict_layers", $"at most one MTP layer is supported, got {c.NumNextnPredictLayers}");
        Require(!c.AttentionBias, "attention_bias", "attention biases are not part of GLM-5 / DeepSeek-V3.2");
        Require(c.NSharedExperts >= 0, "n_shared_experts", "must be ≥ 0");
        if (r.OptionalInt("qk_head_dim") is int qkHeadDim)
            Require(qkHeadDim == c.QkHeadDim, "qk_head_dim", $"must equal qk_nope_head_dim + qk_rope_head_dim = {c.QkHeadDim}, got {qkHeadDim}");
        foreach (int id in c.EosTokenIds)
            Require(id < c.VocabSize, "eos_token_id", $"id {id} is outside the vocabulary ({c.VocabSize})");
        if (c.IndexerTypes is { } types)
        {
            Require(types.Count == c.NumHiddenLayers, "indexer_types", $"must list {c.NumHiddenLayers} layers, got {types.Count}");
            Require(types.All(t => t is "full" or "shared"), "indexer_types", "entries must be 'full' or 'shared'");
            Require(types.Count == 0 || types[0] == "full", "indexer_types", "layer 0 must be 'full' (a shared layer reuses an earlier selection)");
        }
        if (c.IndexTopkPattern is { } pattern)
        {
            Require(pattern.Length == c.NumHiddenLayers && pattern.All(ch => ch is 'F' or 'S'), "index_topk_pattern",
                $"must be {c.NumHiddenLayers} characters of 'F'/'S', got \"{pattern}\"");
        }
        if (r.OptionalStringList("mlp_layer_types") is { } mlpTypes)
        {
            Require(mlpTypes.Count == c.NumHiddenLayers, "mlp_layer_types", $"must list {c.NumHiddenLayers} layers, got {mlpTypes.Count}");
            for (int i = 0; i < mlpTypes.Count; i++)
                Require(mlpTypes[i] == (c.IsMoeLayer(i) ? "sparse" : "dense"), "mlp_layer_types",
                    $"layer {i} is '{mlpTypes[i]}' but first_k_dense_replace/moe_layer_freq make it {(c.IsMoeLayer(i) ? "sparse" : "dense")}");
        }
        if (c.Quantization is QuarkQuantizationConfig quark)
            Require(quark.IsMxfp4, "quantization_config.global_quant_config.weight",
                $"only MXFP4 (fp4, per_group 32, e8m0) is supported, got {quark.WeightDType}/{quark.QScheme} {quark.GroupSize}/{quark.ScaleFormat}");
    }
}
