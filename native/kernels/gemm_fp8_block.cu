// GEMM/GEMV on FP8 block-scaled weights (GLM-5-FP8): e4m3fn bytes times the float32 scale_inv of their tile.
#include "gemm_rows.cuh"

glmrt_status gemm_fp8_block(glmrt_stream* stream, const glmrt_matrix& weight, const float* x, int32_t tokens, float* y)
{
    const char* fn = "glmrt_gemm (fp8 block)";
    GLMRT_REQUIRE(weight.block_rows > 0 && weight.block_columns > 0 && weight.scales != nullptr, fn,
                  "FP8 block weights need positive block sizes (got %d x %d) and scales", (int)weight.block_rows,
                  (int)weight.block_columns);
    return gemm_rows_launch<GLMRT_DTYPE_FP8_BLOCK>(fn, stream, weight, x, tokens, y);
}
