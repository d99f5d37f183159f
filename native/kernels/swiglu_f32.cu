// SwiGLU's gate: out = SiLU(gate) ⊙ up with SiLU(g) = g / (1 + e^−g).
#include "../shim/internal.h"

__global__ void __launch_bounds__(256) swiglu_kernel(const float* gate, const float* up, float* out, int64_t count)
{
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        const float g = gate[i];
        out[i] = g / (1.f + expf(-g)) * up[i];
    }
}

extern "C" glmrt_status glmrt_swiglu_f32(glmrt_stream* stream, const float* gate, const float* up, float* out, int64_t count)
{
    const char* fn = "glmrt_swiglu_f32";
    GLMRT_REQUIRE(count >= 0, fn, "count %lld", (long long)count);
    GLMRT_REQUIRE(gate != nullptr && up != nullptr && out != nullptr, fn, "gate, up or out is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (count == 0) return GLMRT_OK;
    const int64_t blocks = (count + 255) / 256;
    GLMRT_LAUNCH((unsigned)(blocks < 65536 ? blocks : 65536), 256, 0, stream->stream, swiglu_kernel)(gate, up, out, count);
    return glmrt_check_launch(fn);
}
