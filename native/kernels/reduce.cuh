// Warp and block reductions shared by the kernels. Blocks are a whole number of warps, at most 1024 threads.
#pragma once

#include "gpu.h"

__device__ __forceinline__ float warp_sum(float value)
{
    for (int mask = GLMRT_WARP_SIZE / 2; mask > 0; mask >>= 1) value += gpu_shfl_xor(value, mask);
    return value;
}

__device__ __forceinline__ float warp_max(float value)
{
    for (int mask = GLMRT_WARP_SIZE / 2; mask > 0; mask >>= 1) value = fmaxf(value, gpu_shfl_xor(value, mask));
    return value;
}

// Every thread of the block gets the sum, added in the same order on every thread. `shared` holds 32 floats
// and may be reused by the next call (the leading barrier keeps readers of the previous result safe).
__device__ __forceinline__ float block_sum(float value, float* shared)
{
    value = warp_sum(value);
    const int lane = threadIdx.x % GLMRT_WARP_SIZE, warp = threadIdx.x / GLMRT_WARP_SIZE;
    const int warps = (blockDim.x + GLMRT_WARP_SIZE - 1) / GLMRT_WARP_SIZE;
    __syncthreads();
    if (lane == 0) shared[warp] = value;
    __syncthreads();
    float total = 0.f;
    for (int i = 0; i < warps; i++) total += shared[i];
    return total;
}

__device__ __forceinline__ float block_max(float value, float* shared)
{
    value = warp_max(value);
    const int lane = threadIdx.x % GLMRT_WARP_SIZE, warp = threadIdx.x / GLMRT_WARP_SIZE;
    const int warps = (blockDim.x + GLMRT_WARP_SIZE - 1) / GLMRT_WARP_SIZE;
    __syncthreads();
    if (lane == 0) shared[warp] = value;
    __syncthreads();
    float best = -INFINITY;
    for (int i = 0; i < warps; i++) best = fmaxf(best, shared[i]);
    return best;
}
