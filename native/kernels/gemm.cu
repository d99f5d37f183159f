// glmrt_gemm: picks the kernel for the weight's stored dtype.
#include "gemm_rows.cuh"

extern "C" glmrt_status glmrt_gemm(glmrt_stream* stream, glmrt_matrix weight, const float* x, int32_t tokens, float* y)
{
    switch (weight.dtype) {
    case GLMRT_DTYPE_BF16:
    case GLMRT_DTYPE_F16:
    case GLMRT_DTYPE_F32: return gemm_dense(stream, weight, x, tokens, y);
    case GLMRT_DTYPE_FP8_BLOCK: return gemm_fp8_block(stream, weight, x, tokens, y);
    case GLMRT_DTYPE_MXFP4: return gemm_mxfp4(stream, weight, x, tokens, y);
    default: return glmrt_fail("glmrt_gemm", GLMRT_ERROR_UNSUPPORTED, "dtype %d", (int)weight.dtype);
    }
}
