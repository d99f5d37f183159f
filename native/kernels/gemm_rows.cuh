// The row-per-warp GEMM/GEMV shared by the per-dtype files: y[t, n] = Σ_k x[t, k] · W[n, k]. One warp owns one output
// row n and walks K with eight-wide loads, decoding the weights in registers; up to four tokens share each decoded
// weight. Decode (few tokens) is bound by reading W once; prefill re-reads W per four tokens, which is the simple
// version this file promises (part 2 adds the tiled MXFP4 grouped GEMM).
#pragma once

#include "../shim/internal.h"
#include "reduce.cuh"
#include "weight_decode.cuh"

constexpr int kGemmTokensPerPass = 4;
constexpr int kGemmThreads = 256;

template <int DTYPE, bool VECTOR>
__global__ void __launch_bounds__(kGemmThreads) gemm_rows_kernel(MatrixView w, const float* x, int tokens, float* y)
{
    const int warps = blockDim.x / GLMRT_WARP_SIZE, lane = threadIdx.x % GLMRT_WARP_SIZE;
    const int n = blockIdx.x * warps + threadIdx.x / GLMRT_WARP_SIZE;
    if (n >= w.rows) return;
    const int K = w.columns;
    for (int t0 = blockIdx.y * kGemmTokensPerPass; t0 < tokens; t0 += gridDim.y * kGemmTokensPerPass) {
        const int count = min(kGemmTokensPerPass, tokens - t0);
        float acc[kGemmTokensPerPass] = {0.f, 0.f, 0.f, 0.f};
        if (VECTOR) {
            for (int k = lane * 8; k < K; k += GLMRT_WARP_SIZE * 8) {
                float wv[8];
                load_weight8<DTYPE>(w, n, k, wv);
                for (int j = 0; j < kGemmTokensPerPass; j++) {
                    if (j >= count) break;
                    const float4* xv = (const float4*)(x + (size_t)(t0 + j) * K + k);
                    const float4 a = xv[0], b = xv[1];
                    acc[j] += wv[0] * a.x + wv[1] * a.y + wv[2] * a.z + wv[3] * a.w + wv[4] * b.x + wv[5] * b.y + wv[6] * b.z +
                              wv[7] * b.w;
                }
            }
        } else {
            for (int k = lane; k < K; k += GLMRT_WARP_SIZE) {
                const float wk = load_weight<DTYPE>(w, n, k);
                for (int j = 0; j < kGemmTokensPerPass; j++) {
                    if (j >= count) break;
                    acc[j] += wk * x[(size_t)(t0 + j) * K + k];
                }
            }
        }
        for (int j = 0; j < kGemmTokensPerPass; j++) {
            const float total = warp_sum(acc[j]);
            if (lane == 0 && j < count) y[(size_t)(t0 + j) * w.rows + n] = total;
        }
    }
}

// Checks the shapes and launches the kernel for one dtype on `stream`.
template <int DTYPE>
glmrt_status gemm_rows_launch(const char* fn, glmrt_stream* stream, const glmrt_matrix& m, const float* x, int32_t tokens, float* y)
{
    GLMRT_REQUIRE(m.rows > 0 && m.columns > 0 && tokens >= 0, fn, "W [%d, %d], %d tokens", (int)m.rows, (int)m.columns, (int)tokens);
    GLMRT_REQUIRE(m.data != nullptr && x != nullptr && y != nullptr, fn, "W, x or y is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (tokens == 0) return GLMRT_OK;
    const int warps = kGemmThreads / GLMRT_WARP_SIZE;
    const int passes = (tokens + kGemmTokensPerPass - 1) / kGemmTokensPerPass;
    const dim3 grid((m.rows + warps - 1) / warps, passes < 65535 ? passes : 65535);
    const MatrixView view = make_view(m);
    // x rows must also start 16-byte aligned for the float4 loads: K % 8 == 0 and an aligned base give that.
    if (vector_loads_allowed(m) && ((uintptr_t)x % 16) == 0)
        GLMRT_LAUNCH(grid, kGemmThreads, 0, stream->stream, gemm_rows_kernel<DTYPE, true>)(view, x, tokens, y);
    else
        GLMRT_LAUNCH(grid, kGemmThreads, 0, stream->stream, gemm_rows_kernel<DTYPE, false>)(view, x, tokens, y);
    return glmrt_check_launch(fn);
}

// Per-dtype entry points (gemm_dense.cu, gemm_fp8_block.cu, gemm_mxfp4.cu), dispatched by glmrt_gemm (gemm.cu).
glmrt_status gemm_dense(glmrt_stream* stream, const glmrt_matrix& weight, const float* x, int32_t tokens, float* y);
glmrt_status gemm_fp8_block(glmrt_stream* stream, const glmrt_matrix& weight, const float* x, int32_t tokens, float* y);
glmrt_status gemm_mxfp4(glmrt_stream* stream, const glmrt_matrix& weight, const float* x, int32_t tokens, float* y);
