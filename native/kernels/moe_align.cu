// glmrt_moe_align: the MoE's sort-and-pad step. One block counts each expert's assignments, lays the experts' runs
// out one after another (each padded to whole tiles), and places every assignment in its expert's run.
#include "moe.cuh"

__global__ void __launch_bounds__(1024) moe_align_kernel(glmrt_moe_params p, const int32_t* experts, int32_t assignments,
                                                         int32_t* sorted, int32_t* tile_experts, int32_t* tile_count)
{
    GLMRT_DYNAMIC_SHARED(int, counts);   // [E], then each expert's next free position [E]
    int* cursors = counts + p.expert_count;
    for (int e = threadIdx.x; e < p.expert_count; e += blockDim.x) counts[e] = 0;
    __syncthreads();
    for (int a = threadIdx.x; a < assignments; a += blockDim.x) {
        const int e = experts[a];
        if (e >= 0 && e < p.expert_count) atomicAdd(&counts[e], 1);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        // E ≤ 4096 serial steps: small next to the GEMMs this feeds, and it keeps the layout in expert order.
        int position = 0;
        for (int e = 0; e < p.expert_count; e++) {
            const int count = counts[e], padded = (count + p.tokens_per_tile - 1) / p.tokens_per_tile * p.tokens_per_tile;
            cursors[e] = position;
            for (int i = count; i < padded; i++) sorted[position + i] = -1;
            for (int tile = position / p.tokens_per_tile; tile < (position + padded) / p.tokens_per_tile; tile++) tile_experts[tile] = e;
            position += padded;
        }
        *tile_count = position / p.tokens_per_tile;
    }
    __syncthreads();
    for (int a = threadIdx.x; a < assignments; a += blockDim.x) {
        const int e = experts[a];
        if (e >= 0 && e < p.expert_count) sorted[atomicAdd(&cursors[e], 1)] = a;
    }
}

glmrt_status moe_align_launch(const char* fn, glmrt_stream* stream, const glmrt_moe_params& p, const int32_t* experts, int32_t tokens,
                              int32_t* sorted, int32_t* tile_experts, int32_t* tile_count)
{
    const int threads = 256;
    GLMRT_LAUNCH(1, threads, sizeof(int) * 2 * (size_t)p.expert_count, stream->stream, moe_align_kernel)(
        p, experts, tokens * p.experts_per_token, sorted, tile_experts, tile_count);
    return glmrt_check_launch(fn);
}

extern "C" glmrt_status glmrt_moe_align(glmrt_stream* stream, glmrt_moe_params params, const int32_t* experts, int32_t tokens,
                                        int32_t* sorted, int32_t* tile_experts, int32_t* tile_count)
{
    const char* fn = "glmrt_moe_align";
    GLMRT_TRY(moe_check_routing(fn, params, tokens));
    GLMRT_REQUIRE((tokens == 0 || experts != nullptr) && sorted != nullptr && tile_experts != nullptr && tile_count != nullptr, fn,
                  "a pointer argument is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    return moe_align_launch(fn, stream, params, experts, tokens, sorted, tile_experts, tile_count);
}
