// Sparse MLA decode (MODEL.md §3.4, §3.6), absorbed form: every query head of a token attends the same gathered latent
// rows [c_kv | k_rope] (one shared key head), so a block takes one token and a group of heads, stages a tile of
// selected rows in shared memory once for all of its heads, and keeps an online softmax per head. Reads only the
// selected positions (the indexer's top-k), or 0..p when there is no selection. Values are the rows' first r_kv.
// Pages hold rows in a glmrt_kv_format (float32, bf16, or FlashMLA's fp8 form); rows are decoded as they are staged.
#include "../shim/internal.h"
#include "reduce.cuh"
#include "weight_decode.cuh"

namespace {

// Byte-wise reads, because an fp8 row's scales and bf16 tail need not be aligned for wider loads.
__device__ __forceinline__ uint32_t read_u32(const uint8_t* at)
{
    return (uint32_t)at[0] | ((uint32_t)at[1] << 8) | ((uint32_t)at[2] << 16) | ((uint32_t)at[3] << 24);
}

// Value j of a latent row of kv_rank + rope values stored in FORMAT.
template <int FORMAT>
__device__ __forceinline__ float latent_value(const uint8_t* row, int j, int kv_rank)
{
    if (FORMAT == GLMRT_KV_F32) return ((const float*)row)[j]; // float32 rows are 4-byte aligned
    if (FORMAT == GLMRT_KV_BF16) return bf16_to_float((uint32_t)row[2 * j] | ((uint32_t)row[2 * j + 1] << 8));
    const int scales = (kv_rank + 127) / 128;
    if (j < kv_rank) return e4m3_to_float(row[j]) * __uint_as_float(read_u32(row + kv_rank + 4 * (j / 128)));
    const uint8_t* tail = row + kv_rank + 4 * scales + 2 * (j - kv_rank);
    return bf16_to_float((uint32_t)tail[0] | ((uint32_t)tail[1] << 8));
}

} // namespace

extern "C" uint64_t glmrt_kv_row_bytes(int32_t format, int32_t kv_rank, int32_t rope_dim)
{
    if (kv_rank < 0 || rope_dim < 0) return 0;
    switch (format) {
    case GLMRT_KV_F32: return 4ull * (kv_rank + rope_dim);
    case GLMRT_KV_BF16: return 2ull * (kv_rank + rope_dim);
    case GLMRT_KV_FP8_E4M3: return (uint64_t)kv_rank + 4ull * ((kv_rank + 127) / 128) + 2ull * rope_dim;
    default: return 0;
    }
}

constexpr int kDecodeThreads = 256;
constexpr int kHeadsPerBlock = 8;
constexpr int kKeysPerTile = 8;
constexpr int kValuesPerThread = 8; // r_kv up to 2,048

template <int FORMAT>
__global__ void __launch_bounds__(kDecodeThreads) sparse_mla_decode_kernel(glmrt_mla_attention_params p, const float* query,
                                                                           const uint8_t* latent_pool, uint64_t row_bytes,
                                                                           const int32_t* page_table,
                                                                           const int32_t* positions, const int32_t* selected,
                                                                           float* out)
{
    GLMRT_DYNAMIC_SHARED(float, shared);
    const int latent = p.kv_rank + p.rope_dim;
    const int t = blockIdx.x, first_head = blockIdx.y * kHeadsPerBlock;
    const int heads = min(kHeadsPerBlock, p.heads - first_head);
    float* q = shared;                                   // [heads][latent]
    float* keys = q + kHeadsPerBlock * latent;           // [kKeysPerTile][latent]
    float* scores = keys + kKeysPerTile * latent;        // [kHeadsPerBlock][kKeysPerTile]
    __shared__ int tile_positions[kKeysPerTile];

    for (int i = threadIdx.x; i < heads * latent; i += blockDim.x)
        q[i] = query[((size_t)t * p.heads + first_head) * latent + i];

    const int position = positions[t];
    const int candidates = p.selected_per_query > 0 ? p.selected_per_query : min(position + 1, p.cached_count);
    const int warps = blockDim.x / GLMRT_WARP_SIZE, warp = threadIdx.x / GLMRT_WARP_SIZE, lane = threadIdx.x % GLMRT_WARP_SIZE;
    float running_max[kHeadsPerBlock], denominator[kHeadsPerBlock], acc[kHeadsPerBlock][kValuesPerThread];
    for (int h = 0; h < kHeadsPerBlock; h++) {
        running_max[h] = -INFINITY;
        denominator[h] = 0.f;
        for (int m = 0; m < kValuesPerThread; m++) acc[h][m] = 0.f;
    }

    for (int base = 0; base < candidates; base += kKeysPerTile) {
        __syncthreads(); // the previous tile is no longer read
        if (threadIdx.x < kKeysPerTile) {
            const int c = base + threadIdx.x;
            int s = -1;
            if (c < candidates) s = p.selected_per_query > 0 ? selected[(size_t)t * p.selected_per_query + c] : c;
            tile_positions[threadIdx.x] = (s >= 0 && s <= position && s < p.cached_count) ? s : -1;
        }
        __syncthreads();
        for (int i = threadIdx.x; i < kKeysPerTile * latent; i += blockDim.x) {
            const int k = i / latent, s = tile_positions[k];
            keys[i] = s < 0 ? 0.f
                            : latent_value<FORMAT>(latent_pool + ((size_t)page_table[s / p.page_size] * p.page_size + s % p.page_size) * row_bytes,
                                                   i % latent, p.kv_rank);
        }
        __syncthreads();
        // One warp per (head, key) dot product.
        for (int pair = warp; pair < kHeadsPerBlock * kKeysPerTile; pair += warps) {
            const int h = pair / kKeysPerTile, k = pair % kKeysPerTile;
            float dot = 0.f;
            if (h < heads)
                for (int i = lane; i < latent; i += GLMRT_WARP_SIZE) dot += q[h * latent + i] * keys[k * latent + i];
            dot = warp_sum(dot);
            if (lane == 0) scores[pair] = (h < heads && tile_positions[k] >= 0) ? p.scale * dot : -INFINITY;
        }
        __syncthreads();
        for (int h = 0; h < heads; h++) {
            float tile_max = running_max[h];
            for (int k = 0; k < kKeysPerTile; k++) tile_max = fmaxf(tile_max, scores[h * kKeysPerTile + k]);
            if (tile_max == -INFINITY) continue; // nothing valid yet
            const float correction = expf(running_max[h] - tile_max);
            denominator[h] *= correction;
            for (int m = 0; m < kValuesPerThread; m++) acc[h][m] *= correction;
            for (int k = 0; k < kKeysPerTile; k++) {
                const float score = scores[h * kKeysPerTile + k];
                if (score == -INFINITY) continue;
                const float weight = expf(score - tile_max);
                denominator[h] += weight;
                for (int m = 0; m < kValuesPerThread; m++) {
                    const int j = threadIdx.x + m * kDecodeThreads;
                    if (j < p.kv_rank) acc[h][m] += weight * keys[k * latent + j];
                }
            }
            running_max[h] = tile_max;
        }
    }
    for (int h = 0; h < heads; h++) {
        const float inverse = denominator[h] > 0.f ? 1.f / denominator[h] : 0.f;
        float* o = out + ((size_t)t * p.heads + first_head + h) * p.kv_rank;
        for (int m = 0; m < kValuesPerThread; m++) {
            const int j = threadIdx.x + m * kDecodeThreads;
            if (j < p.kv_rank) o[j] = acc[h][m] * inverse;
        }
    }
}

extern "C" glmrt_status glmrt_sparse_mla_decode(glmrt_stream* stream, glmrt_mla_attention_params params, int32_t latent_format,
                                                const float* query, const void* latent_pool, const int32_t* page_table,
                                                const int32_t* positions, const int32_t* selected, int32_t tokens, float* out)
{
    const char* fn = "glmrt_sparse_mla_decode";
    const glmrt_mla_attention_params& p = params;
    GLMRT_REQUIRE(latent_format == GLMRT_KV_F32 || latent_format == GLMRT_KV_BF16 || latent_format == GLMRT_KV_FP8_E4M3, fn,
                  "latent format %d (F32 0, BF16 1, FP8_E4M3 2)", (int)latent_format);
    GLMRT_REQUIRE(tokens >= 0 && p.heads > 0 && p.kv_rank > 0 && p.kv_rank <= kDecodeThreads * kValuesPerThread && p.rope_dim >= 0 &&
                      p.page_size > 0 && p.cached_count >= 0 && p.selected_per_query >= 0,
                  fn, "%d tokens, %d heads, rank %d (at most %d), rope %d, page %d", (int)tokens, (int)p.heads, (int)p.kv_rank,
                  kDecodeThreads * kValuesPerThread, (int)p.rope_dim, (int)p.page_size);
    const size_t shared = sizeof(float) * ((size_t)(kHeadsPerBlock + kKeysPerTile) * (p.kv_rank + p.rope_dim) + kHeadsPerBlock * kKeysPerTile);
    if (shared > 48 * 1024)
        return glmrt_fail(fn, GLMRT_ERROR_UNSUPPORTED, "a latent of %d needs %zu bytes of shared memory (48 KiB available)",
                          (int)(p.kv_rank + p.rope_dim), shared);
    GLMRT_REQUIRE(query != nullptr && latent_pool != nullptr && page_table != nullptr && positions != nullptr && out != nullptr &&
                      (p.selected_per_query == 0 || selected != nullptr),
                  fn, "a pointer argument is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (tokens == 0) return GLMRT_OK;
    const dim3 grid(tokens, (p.heads + kHeadsPerBlock - 1) / kHeadsPerBlock);
    const uint64_t row_bytes = glmrt_kv_row_bytes(latent_format, p.kv_rank, p.rope_dim);
    const uint8_t* pool = (const uint8_t*)latent_pool;
    if (latent_format == GLMRT_KV_F32)
        GLMRT_LAUNCH(grid, kDecodeThreads, shared, stream->stream, sparse_mla_decode_kernel<GLMRT_KV_F32>)(p, query, pool, row_bytes, page_table,
                                                                                                          positions, selected, out);
    else if (latent_format == GLMRT_KV_BF16)
        GLMRT_LAUNCH(grid, kDecodeThreads, shared, stream->stream, sparse_mla_decode_kernel<GLMRT_KV_BF16>)(p, query, pool, row_bytes, page_table,
                                                                                                           positions, selected, out);
    else
        GLMRT_LAUNCH(grid, kDecodeThreads, shared, stream->stream, sparse_mla_decode_kernel<GLMRT_KV_FP8_E4M3>)(p, query, pool, row_bytes,
                                                                                                               page_table, positions, selected, out);
    return glmrt_check_launch(fn);
}

extern "C" glmrt_status glmrt_sparse_mla_decode_f32(glmrt_stream* stream, glmrt_mla_attention_params params, const float* query,
                                                    const float* latent_pool, const int32_t* page_table, const int32_t* positions,
                                                    const int32_t* selected, int32_t tokens, float* out)
{
    return glmrt_sparse_mla_decode(stream, params, GLMRT_KV_F32, query, latent_pool, page_table, positions, selected, tokens, out);
}
