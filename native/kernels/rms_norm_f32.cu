// RMSNorm, one block per row: y = w ⊙ x / sqrt(mean(x²) + ε) (MODEL.md §3.1).
#include "../shim/internal.h"
#include "reduce.cuh"

__global__ void __launch_bounds__(256) rms_norm_kernel(const float* x, const float* weight, float* y, int width, float epsilon)
{
    __shared__ float shared[32];
    const float* row = x + (size_t)blockIdx.x * width;
    float* out = y + (size_t)blockIdx.x * width;
    float sum = 0.f;
    for (int i = threadIdx.x; i < width; i += blockDim.x) sum += row[i] * row[i];
    const float inverse = 1.f / sqrtf(block_sum(sum, shared) / (float)width + epsilon);
    // Every read of the row happened before block_sum's barriers, so writing in place is safe.
    for (int i = threadIdx.x; i < width; i += blockDim.x) out[i] = row[i] * inverse * weight[i];
}

extern "C" glmrt_status glmrt_rms_norm_f32(glmrt_stream* stream, const float* x, const float* weight, float* y, int32_t rows,
                                           int32_t width, float epsilon)
{
    const char* fn = "glmrt_rms_norm_f32";
    GLMRT_REQUIRE(rows >= 0 && width > 0, fn, "rows %d, width %d", (int)rows, (int)width);
    GLMRT_REQUIRE(x != nullptr && weight != nullptr && y != nullptr, fn, "x, weight or y is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (rows == 0) return GLMRT_OK;
    GLMRT_LAUNCH(rows, 256, 0, stream->stream, rms_norm_kernel)(x, weight, y, width, epsilon);
    return glmrt_check_launch(fn);
}
