namespace GlmRuntime.Tests.Configuration;

/// <summary>Full-size configs transcribed from MODEL.md §1.1 (GLM-5 / GLM-5.1 and DeepSeek-V3.2).</summary>
internal static class ConfigSamples
{
    public const string Glm5 = """
        {"architectures":["GlmMoeDsaForCausalLM"],"model_type":"glm_moe_dsa","vocab_size":154880,
         "hidden_size":6144,"intermediate_size":12288,"moe_intermediate_size":2048,"num_hidden_layers":78,
         "num_attention_heads":64,"num_key_value_heads":64,"head_dim":64,"q_lora_rank":2048,"kv_lora_rank":512,
         "qk_nope_head_dim":192,"qk_rope_head_dim":64,"qk_head_dim":256,"v_head_dim":256,"index_n_heads":32,
         "index_head_dim":128,"index_topk":2048,"indexer_rope_interleave":true,"rope_interleave":true,
         "n_routed_experts":256,"n_shared_experts":1,"num_experts_per_tok":8,"n_group":1,"topk_group":1,
         "topk_method":"noaux_tc","scoring_func":"sigmoid","norm_topk_prob":true,"routed_scaling_factor":2.5,
         "first_k_dense_replace":3,"moe_layer_freq":1,"hidden_act":"silu","rms_norm_eps":1e-05,
         "rope_parameters":{"rope_theta":1000000,"rope_type":"default"},"max_position_embeddings":202752,
         "num_nextn_predict_layers":1,"tie_word_embeddings":false,"attention_bias":false,"attention_dropout":0.0,
         "eos_token_id":[154820,154827,154829],"pad_token_id":154820,"dtype":"bfloat16","ep_size":1,
         "pretraining_tp":1,"initializer_range":0.02,"use_cache":true,"transformers_version":"5.0.2.dev0"}
        """;

    public const string DeepSeekV32 = """
        {"architectures":["DeepseekV32ForCausalLM"],"model_type":"deepseek_v32","vocab_size":129280,
         "hidden_size":7168,"intermediate_size":18432,"moe_intermediate_size":2048,"num_hidden_layers":61,
         "num_attention_heads":128,"num_key_value_heads":128,"q_lora_rank":1536,"kv_lora_rank":512,
         "qk_nope_head_dim":128,"qk_rope_head_dim":64,"v_head_dim":128,"index_n_heads":64,"index_head_dim":128,
         "index_topk":2048,"n_routed_experts":256,"n_shared_experts":1,"num_experts_per_tok":8,"n_group":8,
         "topk_group":4,"topk_method":"noaux_tc","scoring_func":"sigmoid","norm_topk_prob":true,
         "routed_scaling_factor":2.5,"first_k_dense_replace":3,"moe_layer_freq":1,"hidden_act":"silu",
         "rms_norm_eps":1e-06,"rope_theta":10000,"rope_scaling":{"type":"yarn","factor":40,
         "original_max_position_embeddings":4096,"beta_fast":32,"beta_slow":1,"mscale":1.0,"mscale_all_dim":1.0},
         "max_position_embeddings":163840,"num_nextn_predict_layers":1,"tie_word_embeddings":false,
         "attention_bias":false,"bos_token_id":0,"eos_token_id":1,
         "quantization_config":{"quant_method":"fp8","fmt":"e4m3","activation_scheme":"dynamic","weight_block_size":[128,128],"scale_fmt":"ue8m0"}}
        """;

    /// <summary>GLM-5.2 additions (MODEL.md §1.2) on the GLM-5 config.</summary>
    public static string Glm52() => Glm5
        .Replace("\"rope_theta\":1000000", "\"rope_theta\":8000000")
        .Replace("\"max_position_embeddings\":202752", "\"max_position_embeddings\":1048576")
        .Replace("\"head_dim\":64", "\"head_dim\":192")
        .Replace("\"use_cache\":true", "\"use_cache\":true,\"index_topk_freq\":4,\"index_skip_topk_offset\":3,\"index_topk_pattern\":null,\"index_share_for_mtp_iteration\":true,\"moe_router_dtype\":\"float32\"");
}
