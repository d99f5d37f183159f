using System.Text.Json;

namespace GlmRuntime.Configuration;

/// <summary>Writes a <see cref="GlmConfig"/> as a Hugging Face config.json (the keys <see cref="GlmConfigParser"/> reads).</summary>
internal static class GlmConfigWriter
{
    /// <summary>Writes the config; <paramref name="quantization"/> (already JSON) is embedded as quantization_config.</summary>
    public static void Write(Utf8JsonWriter w, GlmConfig c, Action<Utf8JsonWriter>? quantization = null)
    {
        w.WriteStartObject();
        w.WriteStartArray("architectures");
        foreach (string a in c.Architectures.DefaultIfEmpty(c.ModelType == "glm_moe_dsa" ? "GlmMoeDsaForCausalLM" : "DeepseekV32ForCausalLM"))
            w.WriteStringValue(a);
        w.WriteEndArray();
        w.WriteString("model_type", c.ModelType);
        w.WriteNumber("vocab_size", c.VocabSize);
        w.WriteNumber("hidden_size", c.HiddenSize);
        w.WriteNumber("intermediate_size", c.IntermediateSize);
        w.WriteNumber("moe_intermediate_size", c.MoeIntermediateSize);
        w.WriteNumber("num_hidden_layers", c.NumHiddenLayers);
        w.WriteNumber("first_k_dense_replace", c.FirstKDenseReplace);
        w.WriteNumber("moe_layer_freq", c.MoeLayerFreq);
        w.WriteNumber("num_attention_heads", c.NumAttentionHeads);
        w.WriteNumber("num_key_value_heads", c.NumKeyValueHeads);
        w.WriteNumber("q_lora_rank", c.QLoraRank);
        w.WriteNumber("kv_lora_rank", c.KvLoraRank);
        w.WriteNumber("qk_nope_head_dim", c.QkNopeHeadDim);
        w.WriteNumber("qk_rope_head_dim", c.QkRopeHeadDim);
        w.WriteNumber("qk_head_dim", c.QkHeadDim);
        w.WriteNumber("head_dim", c.HeadDim ?? c.QkRopeHeadDim);
        w.WriteNumber("v_head_dim", c.VHeadDim);
        w.WriteNumber("index_n_heads", c.IndexNHeads);
        w.WriteNumber("index_head_dim", c.IndexHeadDim);
        w.WriteNumber("index_topk", c.IndexTopK);
        w.WriteBoolean("rope_interleave", c.RopeInterleave);
        w.WriteBoolean("indexer_rope_interleave", c.IndexerRopeInterleave);
        w.WriteNumber("n_routed_experts", c.NRoutedExperts);
        w.WriteNumber("n_shared_experts", c.NSharedExperts);
        w.WriteNumber("num_experts_per_tok", c.NumExpertsPerTok);
        w.WriteNumber("n_group", c.NGroup);
        w.WriteNumber("topk_group", c.TopkGroup);
        w.WriteString("topk_method", c.TopkMethod);
        w.WriteString("scoring_func", c.ScoringFunc);
        w.WriteBoolean("norm_topk_prob", c.NormTopkProb);
        w.WriteNumber("routed_scaling_factor", c.RoutedScalingFactor);
        w.WriteString("hidden_act", c.HiddenAct);
        w.WriteNumber("rms_norm_eps", c.RmsNormEps);
        w.WriteStartObject("rope_parameters");
        w.WriteNumber("rope_theta", c.Rope.Theta);
        w.WriteString("rope_type", c.Rope.Type);
        if (c.Rope.IsYarn)
        {
            w.WriteNumber("factor", c.Rope.Factor);
            w.WriteNumber("original_max_position_embeddings", c.Rope.OriginalMaxPositionEmbeddings);
            w.WriteNumber("beta_fast", c.Rope.BetaFast);
            w.WriteNumber("beta_slow", c.Rope.BetaSlow);
            w.WriteNumber("mscale", c.Rope.Mscale);
            w.WriteNumber("mscale_all_dim", c.Rope.MscaleAllDim);
        }
        w.WriteEndObject();
        w.WriteNumber("max_position_embeddings", c.MaxPositionEmbeddings);
        w.WriteNumber("num_nextn_predict_layers", c.NumNextnPredictLayers);
        w.WriteBoolean("tie_word_embeddings", c.TieWordEmbeddings);
        w.WriteBoolean("attention_bias", false);
        w.WriteNumber("attention_dropout", 0.0);
        w.WriteStartArray("eos_token_id");
        foreach (int id in c.EosTokenIds)
            w.WriteNumberValue(id);
        w.WriteEndArray();
        if (c.BosTokenId is int bos)
            w.WriteNumber("bos_token_id", bos);
        if (c.PadTokenId is int pad)
            w.WriteNumber("pad_token_id", pad);
        w.WriteString("dtype", c.DType ?? "bfloat16");
        WriteGlm52Keys(w, c);
        if (quantization is not null)
        {
            w.WritePropertyName("quantization_config");
            quantization(w);
        }
        w.WriteEndObject();
    }

    /// <summary>The GLM-5.2 indexer-sharing and router keys, written only when they differ from their defaults.</summary>
    private static void WriteGlm52Keys(Utf8JsonWriter w, GlmConfig c)
    {
        if (c.IndexTopkFreq != 1)
            w.WriteNumber("index_topk_freq", c.IndexTopkFreq);
        if (c.IndexSkipTopkOffset != 0)
            w.WriteNumber("index_skip_topk_offset", c.IndexSkipTopkOffset);
        if (c.IndexTopkPattern is { } pattern)
            w.WriteString("index_topk_pattern", pattern);
        if (c.IndexerTypes is { } types)
        {
            w.WriteStartArray("indexer_types");
            foreach (string t in types)
                w.WriteStringValue(t);
            w.WriteEndArray();
        }
        if (c.IndexShareForMtpIteration)
            w.WriteBoolean("index_share_for_mtp_iteration", true);
        if (c.MoeRouterDType is { } routerDType)
            w.WriteString("moe_router_dtype", routerDType);
    }
}
