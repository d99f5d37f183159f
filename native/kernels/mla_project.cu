// MLA's per-head projections through kv_b_proj (MODEL.md §3.4), reading the weight in its stored dtype:
//   absorb: q̃_h = W^UK_hᵀ q_nope_h (a transposed product over the head's d_n rows), then q_rope copied behind it;
//   expand: o_h = W^UV_h õ_h (the head's d_v rows against the attended latent).
#include "../shim/internal.h"
#include "reduce.cuh"
#include "weight_decode.cuh"

constexpr int kProjectTokens = 4;

template <int DTYPE>
__global__ void __launch_bounds__(256) absorb_kernel(MatrixView w, glmrt_head_projection p, const float* x, int tokens, float* out)
{
    const int h = blockIdx.y, n = blockIdx.x * blockDim.x + threadIdx.x, R = w.columns;
    const int t0 = blockIdx.z * kProjectTokens, count = min(kProjectTokens, tokens - t0);
    const int tail = p.out_stride - R;
    if (blockIdx.x == 0) // q_rope (the x values after the head's d_n) goes behind q̃ unchanged
        for (int j = 0; j < count; j++)
            for (int i = threadIdx.x; i < tail; i += blockDim.x)
                out[((size_t)(t0 + j) * p.heads + h) * p.out_stride + R + i] = x[((size_t)(t0 + j) * p.heads + h) * p.x_stride + p.inner + i];
    if (n >= R) return;
    float acc[kProjectTokens] = {0.f, 0.f, 0.f, 0.f};
    const int first_row = h * p.rows_per_head + p.row_offset;
    for (int i = 0; i < p.inner; i++) {
        const float wv = load_weight<DTYPE>(w, first_row + i, n);
        for (int j = 0; j < kProjectTokens; j++)
            if (j < count) acc[j] += x[((size_t)(t0 + j) * p.heads + h) * p.x_stride + i] * wv;
    }
    for (int j = 0; j < count; j++) out[((size_t)(t0 + j) * p.heads + h) * p.out_stride + n] = acc[j];
}

template <int DTYPE>
__global__ void __launch_bounds__(256) expand_kernel(MatrixView w, glmrt_head_projection p, const float* x, int tokens, float* out)
{
    const int warps = blockDim.x / GLMRT_WARP_SIZE, lane = threadIdx.x % GLMRT_WARP_SIZE;
    const int item = blockIdx.x * warps + threadIdx.x / GLMRT_WARP_SIZE; // (head, output value)
    if (item >= p.heads * p.inner) return;
    const int h = item / p.inner, j = item % p.inner, row = h * p.rows_per_head + p.row_offset + j, R = w.columns;
    const int t0 = blockIdx.y * kProjectTokens, count = min(kProjectTokens, tokens - t0);
    float acc[kProjectTokens] = {0.f, 0.f, 0.f, 0.f};
    for (int r = lane; r < R; r += GLMRT_WARP_SIZE) {
        const float wv = load_weight<DTYPE>(w, row, r);
        for (int t = 0; t < kProjectTokens; t++)
            if (t < count) acc[t] += x[((size_t)(t0 + t) * p.heads + h) * p.x_stride + r] * wv;
    }
    for (int t = 0; t < kProjectTokens; t++) {
        const float total = warp_sum(acc[t]);
        if (lane == 0 && t < count) out[((size_t)(t0 + t) * p.heads + h) * p.out_stride + j] = total;
    }
}

static glmrt_status check_projection(const char* fn, const glmrt_matrix& w, const glmrt_head_projection& p, const float* x,
                                     int32_t tokens, const float* out)
{
    GLMRT_REQUIRE(w.data != nullptr && x != nullptr && out != nullptr, fn, "kv_b, x or out is NULL");
    GLMRT_REQUIRE(tokens >= 0 && p.heads > 0 && p.heads <= 65535 && p.inner > 0 && p.row_offset >= 0, fn,
                  "%d tokens, %d heads, inner %d, row offset %d", (int)tokens, (int)p.heads, (int)p.inner, (int)p.row_offset);
    GLMRT_REQUIRE((int64_t)p.heads * p.rows_per_head <= w.rows && p.row_offset + p.inner <= p.rows_per_head, fn,
                  "%d heads of %d rows (slice %d..%d) do not fit kv_b's %d rows", (int)p.heads, (int)p.rows_per_head,
                  (int)p.row_offset, (int)(p.row_offset + p.inner), (int)w.rows);
    return GLMRT_OK;
}

#define GLMRT_DISPATCH_DTYPE(dtype, launch)                              \
    switch (dtype) {                                                     \
    case GLMRT_DTYPE_F32: launch(GLMRT_DTYPE_F32); break;                \
    case GLMRT_DTYPE_F16: launch(GLMRT_DTYPE_F16); break;                \
    case GLMRT_DTYPE_BF16: launch(GLMRT_DTYPE_BF16); break;              \
    case GLMRT_DTYPE_FP8_BLOCK: launch(GLMRT_DTYPE_FP8_BLOCK); break;    \
    case GLMRT_DTYPE_MXFP4: launch(GLMRT_DTYPE_MXFP4); break;            \
    default: return glmrt_fail(fn, GLMRT_ERROR_UNSUPPORTED, "dtype %d", (int)(dtype)); \
    }

extern "C" glmrt_status glmrt_mla_absorb_query(glmrt_stream* stream, glmrt_matrix kv_b, glmrt_head_projection p, const float* x,
                                               int32_t tokens, float* out)
{
    const char* fn = "glmrt_mla_absorb_query";
    GLMRT_TRY(check_projection(fn, kv_b, p, x, tokens, out));
    GLMRT_REQUIRE(p.out_stride >= kv_b.columns && p.x_stride - p.inner >= p.out_stride - kv_b.columns, fn,
                  "out_stride %d must hold the latent rank %d and the x tail", (int)p.out_stride, (int)kv_b.columns);
    GLMRT_REQUIRE((tokens + kProjectTokens - 1) / kProjectTokens <= 65535, fn, "%d tokens exceed one launch", (int)tokens);
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (tokens == 0) return GLMRT_OK;
    const dim3 grid((kv_b.columns + 255) / 256, p.heads, (tokens + kProjectTokens - 1) / kProjectTokens);
    const MatrixView view = make_view(kv_b);
#define GLMRT_ABSORB(D) GLMRT_LAUNCH(grid, 256, 0, stream->stream, absorb_kernel<D>)(view, p, x, tokens, out)
    GLMRT_DISPATCH_DTYPE(kv_b.dtype, GLMRT_ABSORB)
#undef GLMRT_ABSORB
    return glmrt_check_launch(fn);
}

extern "C" glmrt_status glmrt_mla_expand_values(glmrt_stream* stream, glmrt_matrix kv_b, glmrt_head_projection p, const float* x,
                                                int32_t tokens, float* out)
{
    const char* fn = "glmrt_mla_expand_values";
    GLMRT_TRY(check_projection(fn, kv_b, p, x, tokens, out));
    GLMRT_REQUIRE(p.x_stride >= kv_b.columns && p.out_stride >= p.inner, fn, "x_stride %d, out_stride %d", (int)p.x_stride,
                  (int)p.out_stride);
    const int warps = 256 / GLMRT_WARP_SIZE;
    const int passes = (tokens + kProjectTokens - 1) / kProjectTokens;
    GLMRT_REQUIRE(passes <= 65535, fn, "%d tokens exceed one launch", (int)tokens);
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (tokens == 0) return GLMRT_OK;
    const dim3 grid((p.heads * p.inner + warps - 1) / warps, passes);
    const MatrixView view = make_view(kv_b);
#define GLMRT_EXPAND(D) GLMRT_LAUNCH(grid, 256, 0, stream->stream, expand_kernel<D>)(view, p, x, tokens, out)
    GLMRT_DISPATCH_DTYPE(kv_b.dtype, GLMRT_EXPAND)
#undef GLMRT_EXPAND
    return glmrt_check_launch(fn);
}
