// Dense GEMM/GEMV on bf16, f16 and f32 weights (y = x · Wᵀ); bf16 is the format of GLM-5's unquantized layers.
#include "gemm_rows.cuh"

glmrt_status gemm_dense(glmrt_stream* stream, const glmrt_matrix& weight, const float* x, int32_t tokens, float* y)
{
    switch (weight.dtype) {
    case GLMRT_DTYPE_BF16: return gemm_rows_launch<GLMRT_DTYPE_BF16>("glmrt_gemm (bf16)", stream, weight, x, tokens, y);
    case GLMRT_DTYPE_F16: return gemm_rows_launch<GLMRT_DTYPE_F16>("glmrt_gemm (f16)", stream, weight, x, tokens, y);
    case GLMRT_DTYPE_F32: return gemm_rows_launch<GLMRT_DTYPE_F32>("glmrt_gemm (f32)", stream, weight, x, tokens, y);
    default: return glmrt_fail("glmrt_gemm", GLMRT_ERROR_UNSUPPORTED, "dtype %d is not dense", (int)weight.dtype);
    }
}
