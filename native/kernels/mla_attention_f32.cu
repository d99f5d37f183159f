// MLA attention over one sequence's latent pages (MODEL.md §3.4, §3.6), the simple version: one block per
// (query, head), keys visited one at a time with an online softmax. Part 2 replaces it with the sparse MLA decode
// that shares each gathered key across all heads.
//   absorbed (decode): score = τ·[q̃ | q_rope]·[c_kv | k_rope], output Σ P·c_kv  ([T, H, r_kv])
//   expanded (prefill): score = τ·(q_nope·k_nope + q_rope·k_rope) with k_nope, v from the expanded kv, output [T, H, d_v]
// Keys are s ≤ positions[t] (and < cached_count), narrowed to the indexer's selection when there is one.
#include "../shim/internal.h"
#include "reduce.cuh"

constexpr int kAttentionThreads = 128;
constexpr int kMaxValuesPerThread = 16; // value widths up to 2048

template <bool EXPANDED>
__global__ void __launch_bounds__(kAttentionThreads) mla_attention_kernel(glmrt_mla_attention_params p, const float* query,
                                                                          const float* expanded_kv, const float* latent_pool,
                                                                          const int32_t* page_table, const int32_t* positions,
                                                                          const int32_t* selected, float* out)
{
    GLMRT_DYNAMIC_SHARED(float, q); // one query head
    __shared__ float reduce_space[32];
    const int t = blockIdx.x, h = blockIdx.y;
    const int latent = p.kv_rank + p.rope_dim;
    const int query_width = EXPANDED ? p.nope_dim + p.rope_dim : latent;
    const int value_width = EXPANDED ? p.value_dim : p.kv_rank;
    const float* q_row = query + ((size_t)t * p.heads + h) * query_width;
    for (int i = threadIdx.x; i < query_width; i += blockDim.x) q[i] = q_row[i];
    __syncthreads();

    const int position = positions[t];
    const int candidates = p.selected_per_query > 0 ? p.selected_per_query : position + 1;
    float running_max = -INFINITY, denominator = 0.f;
    float acc[kMaxValuesPerThread];
    for (int m = 0; m < kMaxValuesPerThread; m++) acc[m] = 0.f;

    for (int c = 0; c < candidates; c++) {
        // Every thread reads the same s, so the skip below is uniform across the block (block_sum has barriers).
        const int s = p.selected_per_query > 0 ? selected[(size_t)t * p.selected_per_query + c] : c;
        if (s < 0 || s > position || s >= p.cached_count) continue;
        const size_t slot = (size_t)page_table[s / p.page_size] * p.page_size + s % p.page_size;
        const float* key_latent = latent_pool + slot * latent;
        float partial = 0.f;
        const float* value;
        if (EXPANDED) {
            const float* kv = expanded_kv + ((size_t)s * p.heads + h) * (p.nope_dim + p.value_dim);
            for (int i = threadIdx.x; i < p.nope_dim; i += blockDim.x) partial += q[i] * kv[i];
            for (int i = threadIdx.x; i < p.rope_dim; i += blockDim.x) partial += q[p.nope_dim + i] * key_latent[p.kv_rank + i];
            value = kv + p.nope_dim;
        } else {
            for (int i = threadIdx.x; i < latent; i += blockDim.x) partial += q[i] * key_latent[i];
            value = key_latent;
        }
        const float score = p.scale * block_sum(partial, reduce_space);
        const float next_max = fmaxf(running_max, score);
        const float correction = expf(running_max - next_max), weight = expf(score - next_max);
        denominator = denominator * correction + weight;
        for (int m = 0; m < kMaxValuesPerThread; m++) {
            const int j = threadIdx.x + m * kAttentionThreads;
            if (j < value_width) acc[m] = acc[m] * correction + weight * value[j];
        }
        running_max = next_max;
    }
    float* o = out + ((size_t)t * p.heads + h) * value_width;
    const float inverse = denominator > 0.f ? 1.f / denominator : 0.f;
    for (int m = 0; m < kMaxValuesPerThread; m++) {
        const int j = threadIdx.x + m * kAttentionThreads;
        if (j < value_width) o[j] = acc[m] * inverse;
    }
}

extern "C" glmrt_mla_attention_params glmrt_mla_attention_default_params(void)
{
    glmrt_mla_attention_params p;
    p.heads = 64;
    p.kv_rank = 512;
    p.rope_dim = 64;
    p.nope_dim = 192;
    p.value_dim = 256;
    p.page_size = 64;
    p.cached_count = 0;
    p.selected_per_query = 0;
    p.scale = 1.f;
    return p;
}

static glmrt_status launch_attention(const char* fn, bool expanded, glmrt_stream* stream, const glmrt_mla_attention_params& p,
                                     const float* query, const float* expanded_kv, const float* latent_pool,
                                     const int32_t* page_table, const int32_t* positions, const int32_t* selected,
                                     int32_t tokens, float* out)
{
    GLMRT_REQUIRE(tokens >= 0 && p.heads > 0 && p.heads <= 65535 && p.kv_rank > 0 && p.rope_dim >= 0 && p.page_size > 0 &&
                      p.cached_count >= 0 && p.selected_per_query >= 0,
                  fn, "%d tokens, %d heads, rank %d, rope %d, page %d, cached %d", (int)tokens, (int)p.heads, (int)p.kv_rank,
                  (int)p.rope_dim, (int)p.page_size, (int)p.cached_count);
    const int value_width = expanded ? p.value_dim : p.kv_rank;
    GLMRT_REQUIRE(value_width > 0 && value_width <= kAttentionThreads * kMaxValuesPerThread, fn, "value width %d is outside [1, %d]",
                  value_width, kAttentionThreads * kMaxValuesPerThread);
    GLMRT_REQUIRE(!expanded || (p.nope_dim > 0 && expanded_kv != nullptr), fn, "the expanded form needs nope_dim and expanded_kv");
    GLMRT_REQUIRE(query != nullptr && latent_pool != nullptr && page_table != nullptr && positions != nullptr && out != nullptr, fn,
                  "query, latent_pool, page_table, positions or out is NULL");
    GLMRT_REQUIRE(p.selected_per_query == 0 || selected != nullptr, fn, "selected is NULL with selected_per_query %d",
                  (int)p.selected_per_query);
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (tokens == 0) return GLMRT_OK;
    const int query_width = expanded ? p.nope_dim + p.rope_dim : p.kv_rank + p.rope_dim;
    const dim3 grid(tokens, p.heads);
    const size_t shared = sizeof(float) * (size_t)query_width;
    if (expanded)
        GLMRT_LAUNCH(grid, kAttentionThreads, shared, stream->stream, mla_attention_kernel<true>)(p, query, expanded_kv, latent_pool, page_table,
                                                                                          positions, selected, out);
    else
        GLMRT_LAUNCH(grid, kAttentionThreads, shared, stream->stream, mla_attention_kernel<false>)(p, query, nullptr, latent_pool, page_table,
                                                                                           positions, selected, out);
    return glmrt_check_launch(fn);
}

extern "C" glmrt_status glmrt_mla_attention_decode_f32(glmrt_stream* stream, glmrt_mla_attention_params params, const float* query,
                                                       const float* latent_pool, const int32_t* page_table, const int32_t* positions,
                                                       const int32_t* selected, int32_t tokens, float* out)
{
    return launch_attention("glmrt_mla_attention_decode_f32", false, stream, params, query, nullptr, latent_pool, page_table, positions,
                            selected, tokens, out);
}

extern "C" glmrt_status glmrt_mla_attention_expanded_f32(glmrt_stream* stream, glmrt_mla_attention_params params, const float* query,
                                                         const float* expanded_kv, const float* latent_pool, const int32_t* page_table,
                                                         const int32_t* positions, const int32_t* selected, int32_t tokens,
                                                         float* out)
{
    return launch_attention("glmrt_mla_attention_expanded_f32", true, stream, params, query, expanded_kv, latent_pool, page_table,
                            positions, selected, tokens, out);
}
