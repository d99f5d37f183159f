// The DSA lightning indexer (MODEL.md §3.5): scores I(t, s) = Σ_j w[t, j]·ReLU(q[t, j]·k[s]) for the causal keys
// s ≤ positions[t], then the top-k positions per query (k up to the key count; ties to the earlier key, as the managed
// reference), written ascending and padded with −1. Two kernels: one thread per (query, key) for the scores into a
// caller scratch [T, S], then one block per query that finds the k-th largest score by bisection on order-preserving
// bits and compacts the chosen positions in index order.
#include "../shim/internal.h"
#include "reduce.cuh"

constexpr int kScoreThreads = 256;
constexpr int kSelectThreads = 1024;

__global__ void __launch_bounds__(kScoreThreads) indexer_score_kernel(const float* query, const float* head_weights, const float* keys,
                                                                      const int32_t* page_table, int page_size, int heads,
                                                                      int head_dim, int key_count, const int32_t* positions,
                                                                      float* scores)
{
    GLMRT_DYNAMIC_SHARED(float, q); // the query's heads × head_dim values, then its head weights
    const int t = blockIdx.y;
    const float* q_row = query + (size_t)t * heads * head_dim;
    for (int i = threadIdx.x; i < heads * head_dim; i += blockDim.x) q[i] = q_row[i];
    for (int j = threadIdx.x; j < heads; j += blockDim.x) q[heads * head_dim + j] = head_weights[(size_t)t * heads + j];
    __syncthreads();
    const int s = blockIdx.x * blockDim.x + threadIdx.x;
    if (s >= key_count) return;
    if (s > positions[t]) {
        scores[(size_t)t * key_count + s] = -INFINITY;
        return;
    }
    const float* k = keys + ((size_t)page_table[s / page_size] * page_size + s % page_size) * head_dim;
    float total = 0.f;
    for (int j = 0; j < heads; j++) {
        float dot = 0.f;
        for (int d = 0; d < head_dim; d++) dot += q[j * head_dim + d] * k[d];
        total += q[heads * head_dim + j] * fmaxf(dot, 0.f);
    }
    scores[(size_t)t * key_count + s] = total;
}

// Float bits mapped so that unsigned order is float order (negatives flipped, positives offset).
__device__ __forceinline__ uint32_t ordered_bits(float value)
{
    const uint32_t bits = __float_as_uint(value);
    return (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
}

__global__ void __launch_bounds__(kSelectThreads) indexer_select_kernel(const float* scores, int key_count, const int32_t* positions,
                                                                        int top_k, int32_t* selected)
{
    __shared__ float reduce_space[32];
    __shared__ int greater_before[kSelectThreads + 1];
    __shared__ int equal_before[kSelectThreads + 1];
    const int t = blockIdx.x;
    int32_t* out = selected + (size_t)t * top_k;
    const int candidates = min(positions[t] + 1, key_count);
    if (candidates <= top_k) {
        for (int i = threadIdx.x; i < top_k; i += blockDim.x) out[i] = i < candidates ? i : -1;
        return;
    }
    const float* row = scores + (size_t)t * key_count;

    // The largest threshold whose count of scores at or above it is still ≥ k: the k-th largest score.
    uint32_t low = 0, high = 0xffffffffu;
    while (low < high) {
        const uint32_t middle = low + (uint32_t)(((uint64_t)high - low + 1) / 2);
        float count = 0.f;
        for (int s = threadIdx.x; s < candidates; s += blockDim.x) count += ordered_bits(row[s]) >= middle ? 1.f : 0.f;
        if (block_sum(count, reduce_space) >= (float)top_k) low = middle; else high = middle - 1;
    }
    const uint32_t threshold = low;

    // Everything above the threshold is chosen; of the ties at it, the earliest keys fill the remaining places.
    const int chunk = (candidates + blockDim.x - 1) / blockDim.x;
    const int begin = min(candidates, (int)threadIdx.x * chunk), end = min(candidates, begin + chunk);
    int greater = 0, equal = 0;
    for (int s = begin; s < end; s++) {
        const uint32_t bits = ordered_bits(row[s]);
        greater += bits > threshold;
        equal += bits == threshold;
    }
    greater_before[threadIdx.x + 1] = greater;
    equal_before[threadIdx.x + 1] = equal;
    __syncthreads();
    if (threadIdx.x == 0) {
        greater_before[0] = 0;
        equal_before[0] = 0;
        for (int i = 1; i <= (int)blockDim.x; i++) {
            greater_before[i] += greater_before[i - 1];
            equal_before[i] += equal_before[i - 1];
        }
    }
    __syncthreads();
    const int ties_taken = top_k - greater_before[blockDim.x];
    int written = greater_before[threadIdx.x] + min(equal_before[threadIdx.x], ties_taken);
    int ties_seen = equal_before[threadIdx.x];
    for (int s = begin; s < end; s++) {
        const uint32_t bits = ordered_bits(row[s]);
        if (bits > threshold || (bits == threshold && ties_seen++ < ties_taken)) out[written++] = s;
    }
}

extern "C" glmrt_status glmrt_indexer_topk_f32(glmrt_stream* stream, const float* query, const float* head_weights, const float* keys,
                                               const int32_t* page_table, int32_t page_size, int32_t tokens, int32_t heads,
                                               int32_t head_dim, int32_t key_count, const int32_t* positions, int32_t top_k,
                                               float* scores, int32_t* selected)
{
    const char* fn = "glmrt_indexer_topk_f32";
    GLMRT_REQUIRE(tokens >= 0 && tokens <= 65535 && heads > 0 && head_dim > 0 && key_count >= 0 && top_k > 0 && page_size > 0, fn,
                  "%d tokens, %d heads x %d, %d keys, top-%d, page %d", (int)tokens, (int)heads, (int)head_dim, (int)key_count,
                  (int)top_k, (int)page_size);
    GLMRT_REQUIRE((size_t)(heads * head_dim + heads) * sizeof(float) <= 48 * 1024, fn, "a query of %d heads x %d does not fit shared memory",
                  (int)heads, (int)head_dim);
    GLMRT_REQUIRE(query != nullptr && head_weights != nullptr && keys != nullptr && page_table != nullptr && positions != nullptr &&
                      scores != nullptr && selected != nullptr,
                  fn, "a pointer argument is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (tokens == 0) return GLMRT_OK;
    if (key_count > 0) {
        const dim3 grid((key_count + kScoreThreads - 1) / kScoreThreads, tokens);
        const size_t shared = sizeof(float) * (size_t)(heads * head_dim + heads);
        GLMRT_LAUNCH(grid, kScoreThreads, shared, stream->stream, indexer_score_kernel)(query, head_weights, keys, page_table, page_size, heads,
                                                                                        head_dim, key_count, positions, scores);
        GLMRT_TRY(glmrt_check_launch(fn));
    }
    GLMRT_LAUNCH(tokens, kSelectThreads, 0, stream->stream, indexer_select_kernel)(scores, key_count, positions, top_k, selected);
    return glmrt_check_launch(fn);
}
