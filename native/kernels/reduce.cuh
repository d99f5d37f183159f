// Warp and block reductions shared by the kernels. Blocks are a whole number of warps, at most 1024 threads.
#pragma once

#include "gpu.h"

struct SumOp {
    __device__ __forceinline__ float operator()(float a, float b) const { return a + b; }
    static constexpr float identity = 0.f;
};

struct MaxOp {
    __device__ __forceinline__ float operator()(float a, float b) const { return fmaxf(a, b); }
    static constexpr float identity = -INFINITY;
};

template <class Op>
__device__ __forceinline__ float warp_reduce(float value)
{
    for (int mask = GLMRT_WARP_SIZE / 2; mask > 0; mask >>= 1) value = Op()(value, gpu_shfl_xor(value, mask));
    return value;
}

// Every thread of the block gets the result, combined in the same order on every thread. `shared` holds 32 floats
// and may be reused by the next call (the leading barrier keeps readers of the previous result safe).
template <class Op>
__device__ __forceinline__ float block_reduce(float value, float* shared)
{
    value = warp_reduce<Op>(value);
    const int lane = threadIdx.x % GLMRT_WARP_SIZE, warp = threadIdx.x / GLMRT_WARP_SIZE;
    const int warps = (blockDim.x + GLMRT_WARP_SIZE - 1) / GLMRT_WARP_SIZE;
    __syncthreads();
    if (lane == 0) shared[warp] = value;
    __syncthreads();
    float result = Op::identity;
    for (int i = 0; i < warps; i++) result = Op()(result, shared[i]);
    return result;
}

__device__ __forceinline__ float warp_sum(float value) { return warp_reduce<SumOp>(value); }
__device__ __forceinline__ float block_sum(float value, float* shared) { return block_reduce<SumOp>(value, shared); }
__device__ __forceinline__ float block_max(float value, float* shared) { return block_reduce<MaxOp>(value, shared); }
