// Embedding gather: out[t, :] = W[tokens[t], :] decoded to float32, any stored dtype.
#include "../shim/internal.h"
#include "weight_decode.cuh"

template <int DTYPE>
__global__ void __launch_bounds__(256) embedding_gather_kernel(MatrixView table, const int32_t* tokens, float* out)
{
    const int t = blockIdx.y;
    const int token = tokens[t];
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < table.columns; c += gridDim.x * blockDim.x)
        out[(size_t)t * table.columns + c] = load_weight<DTYPE>(table, token, c);
}

extern "C" glmrt_status glmrt_embedding_gather(glmrt_stream* stream, glmrt_matrix table, const int32_t* tokens, int32_t count,
                                               float* out)
{
    const char* fn = "glmrt_embedding_gather";
    GLMRT_REQUIRE(count >= 0 && count <= 65535, fn, "count %d is outside [0, 65535]", (int)count);
    GLMRT_REQUIRE(table.data != nullptr && tokens != nullptr && out != nullptr, fn, "table, tokens or out is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (count == 0) return GLMRT_OK;
    const MatrixView view = make_view(table);
    const dim3 grid((table.columns + 255) / 256, count), block(256);
    switch (table.dtype) {
    case GLMRT_DTYPE_F32: GLMRT_LAUNCH(grid, block, 0, stream->stream, embedding_gather_kernel<GLMRT_DTYPE_F32>)(view, tokens, out); break;
    case GLMRT_DTYPE_F16: GLMRT_LAUNCH(grid, block, 0, stream->stream, embedding_gather_kernel<GLMRT_DTYPE_F16>)(view, tokens, out); break;
    case GLMRT_DTYPE_BF16: GLMRT_LAUNCH(grid, block, 0, stream->stream, embedding_gather_kernel<GLMRT_DTYPE_BF16>)(view, tokens, out); break;
    case GLMRT_DTYPE_FP8_BLOCK: GLMRT_LAUNCH(grid, block, 0, stream->stream, embedding_gather_kernel<GLMRT_DTYPE_FP8_BLOCK>)(view, tokens, out); break;
    case GLMRT_DTYPE_MXFP4: GLMRT_LAUNCH(grid, block, 0, stream->stream, embedding_gather_kernel<GLMRT_DTYPE_MXFP4>)(view, tokens, out); break;
    default: return glmrt_fail(fn, GLMRT_ERROR_UNSUPPORTED, "dtype %d", (int)table.dtype);
    }
    return glmrt_check_launch(fn);
}
