// LayerNorm, one block per row: y = γ ⊙ (x − mean) / sqrt(var + ε) + β with the biased variance (torch's layer_norm).
#include "../shim/internal.h"
#include "reduce.cuh"

__global__ void __launch_bounds__(256) layer_norm_kernel(const float* x, const float* gamma, const float* beta, float* y, int width,
                                                         float epsilon)
{
    __shared__ float shared[32];
    const float* row = x + (size_t)blockIdx.x * width;
    float* out = y + (size_t)blockIdx.x * width;
    float sum = 0.f;
    for (int i = threadIdx.x; i < width; i += blockDim.x) sum += row[i];
    const float mean = block_sum(sum, shared) / (float)width;
    // Two passes over the row (mean, then centred squares) as the reference does, not E[x²] − mean².
    float squares = 0.f;
    for (int i = threadIdx.x; i < width; i += blockDim.x) {
        const float centred = row[i] - mean;
        squares += centred * centred;
    }
    const float inverse = 1.f / sqrtf(block_sum(squares, shared) / (float)width + epsilon);
    for (int i = threadIdx.x; i < width; i += blockDim.x) out[i] = (row[i] - mean) * inverse * gamma[i] + beta[i];
}

extern "C" glmrt_status glmrt_layer_norm_f32(glmrt_stream* stream, const float* x, const float* gamma, const float* beta, float* y,
                                             int32_t rows, int32_t width, float epsilon)
{
    const char* fn = "glmrt_layer_norm_f32";
    GLMRT_REQUIRE(rows >= 0 && width > 0, fn, "rows %d, width %d", (int)rows, (int)width);
    GLMRT_REQUIRE(x != nullptr && gamma != nullptr && beta != nullptr && y != nullptr, fn, "x, gamma, beta or y is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (rows == 0) return GLMRT_OK;
    GLMRT_LAUNCH(rows, 256, 0, stream->stream, layer_norm_kernel)(x, gamma, beta, y, width, epsilon);
    return glmrt_check_launch(fn);
}
