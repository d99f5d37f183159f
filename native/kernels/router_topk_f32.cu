// MoE router (MODEL.md §3.8, DeepSeek noaux_tc): sigmoid (or softmax) scores, the correction bias added for the
// choice only, the group limit, top-k by choice with ties to the lower id, then weights from the unbiased scores.
// One block per token; the scores are computed in parallel and the selection, k ≪ E, by one thread in the same
// order as the managed reference so ties resolve identically.
#include "../shim/internal.h"

// Insertion of every index into a sorted list of the `count` largest, ties to the lower index.
__device__ void top_indices(const float* values, int length, int* destination, int count)
{
    int filled = 0;
    for (int i = 0; i < length; i++) {
        int at = filled;
        while (at > 0 && values[i] > values[destination[at - 1]]) at--;
        if (at >= count) continue;
        const int last = filled < count - 1 ? filled : count - 1;
        for (int j = last; j > at; j--) destination[j] = destination[j - 1];
        destination[at] = i;
        filled = filled + 1 < count ? filled + 1 : count;
    }
}

__global__ void __launch_bounds__(256) router_topk_kernel(const float* logits, const float* bias, glmrt_router_params p,
                                                          int32_t* experts, float* weights)
{
    GLMRT_DYNAMIC_SHARED(float, shared);
    const int E = p.expert_count, k = p.experts_per_token;
    float* scores = shared;                  // [E]
    float* choice = shared + E;              // [E]
    float* group_scores = shared + 2 * E;    // [groups]
    int* picked = (int*)(group_scores + p.group_count); // [max(k, groups)]
    const float* row = logits + (size_t)blockIdx.x * E;

    for (int e = threadIdx.x; e < E; e += blockDim.x) scores[e] = p.softmax_scoring ? row[e] : 1.f / (1.f + expf(-row[e]));
    __syncthreads();
    if (threadIdx.x != 0) return;

    if (p.softmax_scoring) {
        float best = -INFINITY, sum = 0.f;
        for (int e = 0; e < E; e++) best = fmaxf(best, scores[e]);
        for (int e = 0; e < E; e++) sum += (scores[e] = expf(scores[e] - best));
        for (int e = 0; e < E; e++) scores[e] /= sum;
    }
    for (int e = 0; e < E; e++) choice[e] = bias != nullptr ? scores[e] + bias[e] : scores[e];
    if (p.group_count > 1) {
        const int per_group = E / p.group_count;
        for (int g = 0; g < p.group_count; g++) {
            float best = -INFINITY, second = -INFINITY;
            for (int i = 0; i < per_group; i++) {
                const float v = choice[g * per_group + i];
                if (v > best) { second = best; best = v; }
                else if (v > second) second = v;
            }
            group_scores[g] = per_group > 1 ? best + second : best;
        }
        top_indices(group_scores, p.group_count, picked, p.groups_kept);
        for (int g = 0; g < p.group_count; g++) {
            bool kept = false;
            for (int i = 0; i < p.groups_kept; i++) kept = kept || picked[i] == g;
            if (!kept)
                for (int i = 0; i < per_group; i++) choice[g * per_group + i] = -INFINITY;
        }
    }
    top_indices(choice, E, picked, k);
    for (int i = 1; i < k; i++) // ascending expert ids, as the reference returns them
        for (int j = i; j > 0 && picked[j - 1] > picked[j]; j--) { const int s = picked[j]; picked[j] = picked[j - 1]; picked[j - 1] = s; }
    float sum = 0.f;
    for (int i = 0; i < k; i++) sum += scores[picked[i]];
    for (int i = 0; i < k; i++) {
        float g = scores[picked[i]];
        if (p.normalize_top_k) g /= sum + 1e-20f;
        experts[(size_t)blockIdx.x * k + i] = picked[i];
        weights[(size_t)blockIdx.x * k + i] = g * p.scaling_factor;
    }
}

extern "C" glmrt_router_params glmrt_router_default_params(void)
{
    glmrt_router_params p;
    p.expert_count = 256;
    p.experts_per_token = 8;
    p.group_count = 1;
    p.groups_kept = 1;
    p.normalize_top_k = 1;
    p.softmax_scoring = 0;
    p.scaling_factor = 1.f;
    return p;
}

extern "C" glmrt_status glmrt_router_topk_f32(glmrt_stream* stream, const float* logits, const float* correction_bias, int32_t tokens,
                                              glmrt_router_params p, int32_t* experts, float* weights)
{
    const char* fn = "glmrt_router_topk_f32";
    GLMRT_REQUIRE(tokens >= 0 && p.expert_count > 0 && p.expert_count <= 4096, fn, "%d tokens, %d experts", (int)tokens, (int)p.expert_count);
    GLMRT_REQUIRE(p.experts_per_token > 0 && p.experts_per_token <= p.expert_count, fn, "experts_per_token %d of %d",
                  (int)p.experts_per_token, (int)p.expert_count);
    GLMRT_REQUIRE(p.group_count > 0 && p.expert_count % p.group_count == 0 && p.groups_kept > 0 && p.groups_kept <= p.group_count, fn,
                  "%d groups (keep %d) over %d experts", (int)p.group_count, (int)p.groups_kept, (int)p.expert_count);
    GLMRT_REQUIRE(logits != nullptr && experts != nullptr && weights != nullptr, fn, "logits, experts or weights is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (tokens == 0) return GLMRT_OK;
    const int slots = p.experts_per_token > p.group_count ? p.experts_per_token : p.group_count;
    const size_t shared = sizeof(float) * (2 * (size_t)p.expert_count + p.group_count) + sizeof(int) * (size_t)slots;
    GLMRT_LAUNCH(tokens, 256, shared, stream->stream, router_topk_kernel)(logits, correction_bias, p, experts, weights);
    return glmrt_check_launch(fn);
}
