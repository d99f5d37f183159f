// Rotary position embedding in place, both pairings (MODEL.md §3.3): interleaved (2i, 2i+1) as GPT-J and GLM-5, or
// half-split (i, i + d_r/2) as NeoX and the DeepSeek-V3.2 indexer. Angles p·θ_i in float32, as transformers does.
#include "../shim/internal.h"

__global__ void __launch_bounds__(64) rope_kernel(float* data, const int32_t* positions, const float* inverse_frequencies,
                                                  glmrt_rope_params p)
{
    const int t = blockIdx.x, h = blockIdx.y, half = p.rotary_dim / 2;
    float* x = data + ((size_t)t * p.heads + h) * p.head_stride + p.offset;
    const float position = (float)positions[t];
    for (int i = threadIdx.x; i < half; i += blockDim.x) {
        const float angle = position * inverse_frequencies[i];
        const float c = cosf(angle) * p.attention_factor, s = sinf(angle) * p.attention_factor;
        const int first = p.interleaved ? 2 * i : i, second = p.interleaved ? 2 * i + 1 : i + half;
        const float a = x[first], b = x[second];
        x[first] = a * c - b * s;
        x[second] = a * s + b * c;
    }
}

extern "C" glmrt_rope_params glmrt_rope_default_params(void)
{
    glmrt_rope_params p;
    p.heads = 1;
    p.head_stride = 0;
    p.offset = 0;
    p.rotary_dim = 0;
    p.interleaved = 1;
    p.attention_factor = 1.f;
    return p;
}

extern "C" glmrt_status glmrt_rope_f32(glmrt_stream* stream, float* data, int32_t rows, const int32_t* positions,
                                       const float* inverse_frequencies, glmrt_rope_params p)
{
    const char* fn = "glmrt_rope_f32";
    GLMRT_REQUIRE(rows >= 0 && rows <= 0x7fffffff && p.heads > 0 && p.heads <= 65535, fn, "rows %d, heads %d", (int)rows, (int)p.heads);
    GLMRT_REQUIRE(p.rotary_dim > 0 && p.rotary_dim % 2 == 0, fn, "rotary_dim %d must be positive and even", (int)p.rotary_dim);
    GLMRT_REQUIRE(p.offset >= 0 && p.offset + p.rotary_dim <= p.head_stride, fn, "rotary slice [%d, %d) does not fit a head of %d",
                  (int)p.offset, (int)(p.offset + p.rotary_dim), (int)p.head_stride);
    GLMRT_REQUIRE(data != nullptr && positions != nullptr && inverse_frequencies != nullptr, fn, "data, positions or frequencies is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (rows == 0) return GLMRT_OK;
    GLMRT_LAUNCH(dim3(rows, p.heads), 64, 0, stream->stream, rope_kernel)(data, positions, inverse_frequencies, p);
    return glmrt_check_launch(fn);
}
