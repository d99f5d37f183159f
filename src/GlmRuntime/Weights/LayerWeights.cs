namespace GlmRuntime.Weights;

// The bound weights of one decoder block, mirroring MODEL.md §2 (shapes with GLM-5 / tiny sizes in the spec).

/// <summary>The lightning indexer of one layer (MODEL.md §2.2, <c>self_attn.indexer.*</c>).</summary>
internal sealed record IndexerWeights(
    LinearWeight WqB,          // [H_I·D_I, r_q]; per head [rope (d_r) | pass (D_I − d_r)]
    LinearWeight Wk,           // [D_I, d];       [rope (d_r) | pass]
    VectorWeight KNormWeight,  // [D_I] LayerNorm γ
    VectorWeight KNormBias,    // [D_I] LayerNorm β
    LinearWeight WeightsProj); // [H_I, d]

/// <summary>MLA attention of one layer (MODEL.md §2.2).</summary>
internal sealed record AttentionWeights(
    LinearWeight QAProj,     // [r_q, d]
    VectorWeight QANorm,     // [r_q]
    LinearWeight QBProj,     // [n_h·(d_n + d_r), r_q]; per head [q_nope | q_rope]
    LinearWeight KvAProj,    // [r_kv + d_r, d];       [c_kv | k_rope]
    VectorWeight KvANorm,    // [r_kv]
    LinearWeight KvBProj,    // [n_h·(d_n + d_v), r_kv]; per head [k_nope | v]
    LinearWeight OProj,      // [d, n_h·d_v]
    IndexerWeights? Indexer); // null only on GLM-5.2 "shared" indexer layers

/// <summary>A SwiGLU MLP: dense layers, each routed expert and the shared expert.</summary>
internal sealed record MlpWeights(
    LinearWeight Gate,  // [I, d]
    LinearWeight Up,    // [I, d]
    LinearWeight Down); // [d, I]

/// <summary>The MoE of one layer (MODEL.md §2.5).</summary>
internal sealed record MoeWeights(
    LinearWeight Router,               // [E, d]
    VectorWeight? CorrectionBias,      // [E] F32, used for expert selection only (noaux_tc)
    IReadOnlyList<MlpWeights> Experts, // E experts of [I_E, d] ×2 and [d, I_E]
    MlpWeights? SharedExperts);        // [I_E·n_shared, d] ×2 and [d, I_E·n_shared]

/// <summary>One decoder block: norms, attention, and either a dense MLP or an MoE.</summary>
internal sealed record DecoderLayerWeights(
    int Index,
    VectorWeight InputNorm,         // [d]
    VectorWeight PostAttentionNorm, // [d]
    AttentionWeights Attention,
    MlpWeights? DenseMlp,
    MoeWeights? Moe);

/// <summary>The MTP (nextn) layer at index L (MODEL.md §2.6).</summary>
internal sealed record MtpWeights(
    VectorWeight ENorm,            // [d] applied to the token embedding
    VectorWeight HNorm,            // [d] applied to the previous hidden state
    LinearWeight EhProj,           // [d, 2d]; columns 0..d−1 read the normed embedding, d..2d−1 the normed hidden
    VectorWeight SharedHeadNorm,   // [d]
    DecoderLayerWeights Block,     // a full MoE decoder block with its own indexer
    LinearWeight? EmbedTokens,     // optional copy of model.embed_tokens (DeepSeek checkpoints carry one)
    LinearWeight? SharedHeadHead); // optional copy of lm_head
