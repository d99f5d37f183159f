// GEMM/GEMV on MXFP4 weights in Quark's layout (a dense-layer path; the MoE grouped GEMM is part 2's moe_gemm_mxfp4).
#include "gemm_rows.cuh"

glmrt_status gemm_mxfp4(glmrt_stream* stream, const glmrt_matrix& weight, const float* x, int32_t tokens, float* y)
{
    const char* fn = "glmrt_gemm (mxfp4)";
    GLMRT_REQUIRE(weight.scales != nullptr, fn, "MXFP4 weights need their E8M0 scales");
    return gemm_rows_launch<GLMRT_DTYPE_MXFP4>(fn, stream, weight, x, tokens, y);
}
