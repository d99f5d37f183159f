// The MXFP4 MoE kernels on AMD gfx950 (CDNA4): the same tiles as moe_gemm.cu, but each wavefront computes 16 weight
// rows × 16 tile tokens with the scaled-FP4 matrix instruction v_mfma_scale_f32_16x16x128_f8f6f4. The weights go in
// as stored (E2M1 nibbles with their E8M0 block scales: Quark's layout is the instruction's operand layout per lane);
// the activations are quantized per 32 values to MXFP8 (e4m3 with an E8M0 scale, OCP MX rules: the scale is
// 2^(⌊log2 amax⌋ − 8), values saturate at ±448) as they are loaded. That quantization is the only numerical
// difference from the portable path.
//
// Built only when the library targets gfx950 (GLMRT_HAS_GFX950, which clang ≥ 20 provides), and launched only on a
// gfx950 device; the kernel bodies exist only in the gfx950 device pass.
#include "moe.cuh"

#if GLMRT_HIP && GLMRT_HAS_GFX950

namespace {

typedef int int8v __attribute__((ext_vector_type(8)));
typedef float float4v __attribute__((ext_vector_type(4)));

constexpr int kFormatFp8 = 0, kFormatFp4 = 4;
constexpr int kRows = 16, kTokens = 16, kStep = 128;

#if defined(__gfx950__)
// 32 activations (or none) as MXFP8: eight dwords of e4m3 and the E8M0 scale byte.
__device__ __forceinline__ void quantize_mxfp8(const float* x, int8v& out, int& scale)
{
    float v[32];
    float amax = 0.f;
    for (int i = 0; i < 32; i++) {
        v[i] = x ? x[i] : 0.f;
        amax = fmaxf(amax, fabsf(v[i]));
    }
    int exponent = (int)((__float_as_uint(amax) >> 23) & 0xff) - 127 - 8; // ⌊log2 amax⌋ − emax(e4m3)
    exponent = exponent < -127 ? -127 : exponent;
    scale = exponent + 127;
    const float inverse = exp2f((float)-exponent);
    for (int i = 0; i < 8; i++) {
        const float a = fminf(fmaxf(v[4 * i] * inverse, -448.f), 448.f), b = fminf(fmaxf(v[4 * i + 1] * inverse, -448.f), 448.f);
        const float c = fminf(fmaxf(v[4 * i + 2] * inverse, -448.f), 448.f), d = fminf(fmaxf(v[4 * i + 3] * inverse, -448.f), 448.f);
        int word = __builtin_amdgcn_cvt_pk_fp8_f32(a, b, 0, false);
        word = __builtin_amdgcn_cvt_pk_fp8_f32(c, d, word, true);
        out[i] = word;
    }
}

// One weight row's 32 nibbles (the lane's K group) and its scale byte.
__device__ __forceinline__ void load_fp4(const void* data, const void* scales, int columns, int n, int k, int8v& out, int& scale)
{
    const uint4 v = *(const uint4*)((const uint8_t*)data + (size_t)n * (columns / 2) + k / 2);
    out = int8v{(int)v.x, (int)v.y, (int)v.z, (int)v.w, 0, 0, 0, 0};
    scale = ((const uint8_t*)scales)[(size_t)n * (columns / 32) + k / 32];
}
#endif

__global__ void __launch_bounds__(1024) moe_gate_up_gfx950(glmrt_moe_params p, const glmrt_expert_matrices* table, const float* x,
                                                           const int32_t* sorted, const int32_t* tile_experts, const int32_t* tile_count,
                                                           float* h)
{
#if defined(__gfx950__)
    int tile, n0;
    glmrt_expert_matrices m;
    if (!moe_block_start(tile_count, tile_experts, table, kRows, p.intermediate, tile, m, n0)) return;
    const int lane = threadIdx.x % GLMRT_WARP_SIZE;
    const int column = lane % kTokens, group = lane / kTokens; // the lane's token (B column) and K group of 32
    const int a = column < p.tokens_per_tile ? sorted[tile * p.tokens_per_tile + column] : -1;
    const float* row = a >= 0 ? x + (size_t)(a / p.experts_per_token) * p.hidden : nullptr;
    const int n = min(n0 + lane % kRows, p.intermediate - 1);
    float4v gate = {0.f, 0.f, 0.f, 0.f}, up = {0.f, 0.f, 0.f, 0.f};
    for (int k0 = 0; k0 < p.hidden; k0 += kStep) {
        const int k = k0 + 32 * group;
        int8v activations, wg, wu;
        int sx, sg, su;
        quantize_mxfp8(row ? row + k : nullptr, activations, sx);
        load_fp4(m.gate, m.gate_scales, p.hidden, n, k, wg, sg);
        load_fp4(m.up, m.up_scales, p.hidden, n, k, wu, su);
        gate = __builtin_amdgcn_mfma_scale_f32_16x16x128_f8f6f4(wg, activations, gate, kFormatFp4, kFormatFp8, 0, sg, 0, sx);
        up = __builtin_amdgcn_mfma_scale_f32_16x16x128_f8f6f4(wu, activations, up, kFormatFp4, kFormatFp8, 0, su, 0, sx);
    }
    // Lane l holds D[4·(l/16) + i][l % 16]: rows are weight rows, columns tile tokens, so the output column is the
    // lane's own token (column).
    if (a < 0) return;
    for (int i = 0; i < 4; i++) {
        const int r = n0 + 4 * group + i;
        if (r < p.intermediate) h[(size_t)(tile * p.tokens_per_tile + column) * p.intermediate + r] = gate[i] / (1.f + expf(-gate[i])) * up[i];
    }
#endif
}

__global__ void __launch_bounds__(1024) moe_down_gfx950(glmrt_moe_params p, const glmrt_expert_matrices* table, const float* h,
                                                        const int32_t* sorted, const int32_t* tile_experts, const int32_t* tile_count,
                                                        const float* weights, float* slots)
{
#if defined(__gfx950__)
    int tile, n0;
    glmrt_expert_matrices m;
    if (!moe_block_start(tile_count, tile_experts, table, kRows, p.hidden, tile, m, n0)) return;
    const int lane = threadIdx.x % GLMRT_WARP_SIZE;
    const int column = lane % kTokens, group = lane / kTokens;
    const int a = column < p.tokens_per_tile ? sorted[tile * p.tokens_per_tile + column] : -1;
    const float* row = a >= 0 ? h + (size_t)(tile * p.tokens_per_tile + column) * p.intermediate : nullptr;
    const int n = min(n0 + lane % kRows, p.hidden - 1);
    float4v acc = {0.f, 0.f, 0.f, 0.f};
    for (int k0 = 0; k0 < p.intermediate; k0 += kStep) {
        const int k = k0 + 32 * group;
        int8v activations, w;
        int sx, sw;
        quantize_mxfp8(row ? row + k : nullptr, activations, sx);
        load_fp4(m.down, m.down_scales, p.intermediate, n, k, w, sw);
        acc = __builtin_amdgcn_mfma_scale_f32_16x16x128_f8f6f4(w, activations, acc, kFormatFp4, kFormatFp8, 0, sw, 0, sx);
    }
    if (a < 0) return; // the output column is the lane's own token: column == lane % 16
    for (int i = 0; i < 4; i++) {
        const int r = n0 + 4 * group + i;
        if (r < p.hidden) slots[(size_t)a * p.hidden + r] = weights[a] * acc[i];
    }
#endif
}

} // namespace

// The gfx950 path needs K steps of 128; other shapes take the portable kernels (moe_gemm.cu decides).
bool moe_gfx950_supports(const glmrt_moe_params& p) { return p.hidden % kStep == 0 && p.intermediate % kStep == 0 && p.tokens_per_tile <= kTokens; }

void moe_launch_gfx950(glmrt_stream* stream, const glmrt_moe_params& p, const glmrt_expert_matrices* table, const float* x,
                       const int32_t* sorted, const int32_t* tile_experts, const int32_t* tile_count, unsigned max_tiles,
                       const float* weights, float* h, float* slots)
{
    const int rows_per_block = p.warps_per_block * kRows, threads = p.warps_per_block * GLMRT_WARP_SIZE;
    const dim3 gate_up_grid(max_tiles, (p.intermediate + rows_per_block - 1) / rows_per_block);
    GLMRT_LAUNCH(gate_up_grid, threads, 0, stream->stream, moe_gate_up_gfx950)(p, table, x, sorted, tile_experts, tile_count, h);
    const dim3 down_grid(max_tiles, (p.hidden + rows_per_block - 1) / rows_per_block);
    GLMRT_LAUNCH(down_grid, threads, 0, stream->stream, moe_down_gfx950)(p, table, h, sorted, tile_experts, tile_count, weights, slots);
}

#endif // GLMRT_HIP && GLMRT_HAS_GFX950
