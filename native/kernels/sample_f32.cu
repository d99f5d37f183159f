// Token sampling, one block per row of logits: argmax (temperature 0 or top-k 1, ties to the lower id), or
// softmax(logits / T) filtered by top-k, then top-p over the mass top-k kept (vLLM's order), then min-p, and one draw
// with the caller's uniform number over the kept ids in id order. Filters are thresholds found by bisection on the
// probabilities' float bits (p ≥ 0, so bit order is value order); tokens tied at a threshold are all kept.
#include "../shim/internal.h"
#include "reduce.cuh"

constexpr int kSampleThreads = 1024;

// Count and mass of probabilities whose bits are ≥ threshold.
__device__ void mass_at_or_above(const float* p, int vocab, uint32_t threshold, float* shared, float* count, float* mass)
{
    float c = 0.f, m = 0.f;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x)
        if (__float_as_uint(p[i]) >= threshold) { c += 1.f; m += p[i]; }
    *count = block_sum(c, shared);
    *mass = block_sum(m, shared);
}

__global__ void __launch_bounds__(kSampleThreads) sample_kernel(const float* logits, int vocab, glmrt_sampling_params params,
                                                                const float* uniforms, float* scratch, int32_t* tokens)
{
    __shared__ float reduce_space[32];
    __shared__ float chunk_mass[kSampleThreads];
    __shared__ int chunk_best[kSampleThreads];
    const float* row = logits + (size_t)blockIdx.x * vocab;
    float* p = scratch + (size_t)blockIdx.x * vocab;

    if (params.temperature <= 0.f || params.top_k == 1) {
        float best = -INFINITY;
        int best_id = -1;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x)
            if (best_id < 0 || row[i] > best) { best = row[i]; best_id = i; }
        chunk_mass[threadIdx.x] = best;
        chunk_best[threadIdx.x] = best_id;
        __syncthreads();
        if (threadIdx.x == 0) {
            float v = -INFINITY;
            int id = -1;
            for (int i = 0; i < (int)blockDim.x; i++) {
                const int candidate = chunk_best[i];
                if (candidate < 0) continue;
                if (id < 0 || chunk_mass[i] > v || (chunk_mass[i] == v && candidate < id)) { v = chunk_mass[i]; id = candidate; }
            }
            tokens[blockIdx.x] = id;
        }
        return;
    }

    float local_max = -INFINITY;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) local_max = fmaxf(local_max, row[i] / params.temperature);
    const float max = block_max(local_max, reduce_space);
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) p[i] = expf(row[i] / params.temperature - max);
    __syncthreads();

    // The largest threshold (as float bits, 1.0f = 0x3f800000 is the top: the max probability is e^0) meeting `need`.
    uint32_t threshold = 0;
    float count, mass;
    if (params.top_k > 1 && params.top_k < vocab) {
        uint32_t low = 0, high = 0x3f800000u; // count(≥ low) ≥ k always holds
        while (low < high) {
            const uint32_t middle = low + (high - low + 1) / 2;
            mass_at_or_above(p, vocab, middle, reduce_space, &count, &mass);
            if (count >= (float)params.top_k) low = middle; else high = middle - 1;
        }
        threshold = low;
    }
    if (params.top_p < 1.f) {
        mass_at_or_above(p, vocab, threshold, reduce_space, &count, &mass);
        const float target = params.top_p * mass;
        uint32_t low = threshold, high = 0x3f800000u;
        while (low < high) {
            const uint32_t middle = low + (high - low + 1) / 2;
            float c, m;
            mass_at_or_above(p, vocab, middle, reduce_space, &c, &m);
            if (m >= target) low = middle; else high = middle - 1;
        }
        threshold = low;
    }
    if (params.min_p > 0.f) {
        const uint32_t floor_bits = __float_as_uint(params.min_p); // min_p · max p, and max p is 1
        if (floor_bits > threshold) threshold = floor_bits;
    }

    // Draw: contiguous id chunks per thread, the chunk masses scanned by one thread, then the chosen chunk walked.
    const int chunk = (vocab + blockDim.x - 1) / blockDim.x;
    const int begin = threadIdx.x * chunk, end = min(vocab, begin + chunk);
    float own = 0.f;
    int last = -1;
    for (int i = begin; i < end; i++)
        if (p[i] > 0.f && __float_as_uint(p[i]) >= threshold) { own += p[i]; last = i; }
    chunk_mass[threadIdx.x] = own;
    chunk_best[threadIdx.x] = last;
    __syncthreads();
    if (threadIdx.x != 0) return;
    float total = 0.f;
    int final_id = -1;
    for (int i = 0; i < (int)blockDim.x; i++) {
        total += chunk_mass[i];
        if (chunk_best[i] >= 0) final_id = chunk_best[i];
    }
    const float target = uniforms[blockIdx.x] * total;
    float running = 0.f;
    for (int c = 0; c < (int)blockDim.x; c++) {
        if (running + chunk_mass[c] <= target || chunk_best[c] < 0) { running += chunk_mass[c]; continue; }
        const int first = c * chunk, stop = min(vocab, first + chunk);
        for (int i = first; i < stop; i++) {
            if (!(p[i] > 0.f && __float_as_uint(p[i]) >= threshold)) continue;
            running += p[i];
            if (target < running) { tokens[blockIdx.x] = i; return; }
        }
        break; // rounding left the target past this chunk's walk: fall through to the last kept id
    }
    tokens[blockIdx.x] = final_id;
}

extern "C" glmrt_sampling_params glmrt_sampling_default_params(void)
{
    glmrt_sampling_params p;
    p.temperature = 1.f;
    p.top_k = 0;
    p.top_p = 1.f;
    p.min_p = 0.f;
    return p;
}

extern "C" glmrt_status glmrt_sample_f32(glmrt_stream* stream, const float* logits, int32_t rows, int32_t vocab,
                                         glmrt_sampling_params params, const float* uniforms, float* scratch, int32_t* tokens)
{
    const char* fn = "glmrt_sample_f32";
    GLMRT_REQUIRE(rows >= 0 && vocab > 0, fn, "%d rows of %d logits", (int)rows, (int)vocab);
    GLMRT_REQUIRE(logits != nullptr && tokens != nullptr, fn, "logits or tokens is NULL");
    const bool greedy = params.temperature <= 0.f || params.top_k == 1;
    GLMRT_REQUIRE(greedy || (uniforms != nullptr && scratch != nullptr), fn, "sampling needs uniforms and scratch");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (rows == 0) return GLMRT_OK;
    GLMRT_LAUNCH(rows, kSampleThreads, 0, stream->stream, sample_kernel)(logits, vocab, params, uniforms, scratch, tokens);
    return glmrt_check_launch(fn);
}
