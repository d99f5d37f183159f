// glmrt_moe_experts: the routed experts of one MoE layer as grouped GEMMs over glmrt_moe_align's tiles (MXFP4.md §3).
// A tile is up to tokens_per_tile assignments of one expert. The gate/up kernel gives each warp rows_per_warp rows of
// the expert's gate and up matrices: every lane reads one 32-value block of each row per step (one MX block: 16 bytes
// of nibbles and a scale), decodes it in registers eight values at a time and applies each decoded weight to all
// the tile's tokens, so an expert's weights are read once per tile, not once per token. SiLU(gate)·up is applied
// before the result leaves registers. The down kernel does the same over the intermediate rows and multiplies by the
// assignment's routing weight; a last kernel sums each token's slots in slot order (no atomics: the result does not
// depend on how tiles are scheduled, or on the order glmrt_moe_align placed tokens in).
#include "moe.cuh"
#include "reduce.cuh"
#include "weight_decode.cuh"

namespace {

// 32 consecutive weights of one row as raw words, decoded eight at a time.
template <int DTYPE>
struct WeightBlock32;

template <>
struct WeightBlock32<GLMRT_DTYPE_MXFP4> {
    uint4 nibbles;
    float scale;
    __device__ __forceinline__ void load(const void* data, const void* scales, int rows, int columns, int n, int k, int, int)
    {
        nibbles = *(const uint4*)((const uint8_t*)data + (size_t)n * (columns / 2) + k / 2);
        scale = e8m0_to_float(((const uint8_t*)scales)[(size_t)n * (columns / 32) + k / 32]);
    }
    __device__ __forceinline__ void decode8(int group, float out[8]) const
    {
        const uint32_t word = group == 0 ? nibbles.x : group == 1 ? nibbles.y : group == 2 ? nibbles.z : nibbles.w;
        for (int i = 0; i < 8; i++) out[i] = e2m1_to_float((word >> (4 * i)) & 0xf) * scale;
    }
};

template <>
struct WeightBlock32<GLMRT_DTYPE_BF16> {
    uint4 words[4];
    __device__ __forceinline__ void load(const void* data, const void*, int, int columns, int n, int k, int, int)
    {
        const uint4* row = (const uint4*)((const uint16_t*)data + (size_t)n * columns + k);
        for (int i = 0; i < 4; i++) words[i] = row[i];
    }
    __device__ __forceinline__ void decode8(int group, float out[8]) const
    {
        const uint4 v = words[group];
        const uint32_t w[4] = {v.x, v.y, v.z, v.w};
        for (int i = 0; i < 4; i++) {
            out[2 * i] = bf16_to_float(w[i] & 0xffff);
            out[2 * i + 1] = bf16_to_float(w[i] >> 16);
        }
    }
};

template <>
struct WeightBlock32<GLMRT_DTYPE_FP8_BLOCK> {
    uint4 bytes[2];
    float scale;
    __device__ __forceinline__ void load(const void* data, const void* scales, int, int columns, int n, int k, int block_rows,
                                         int block_columns)
    {
        const uint4* row = (const uint4*)((const uint8_t*)data + (size_t)n * columns + k);
        bytes[0] = row[0];
        bytes[1] = row[1];
        const int tiles = (columns + block_columns - 1) / block_columns;
        scale = ((const float*)scales)[(size_t)(n / block_rows) * tiles + k / block_columns];
    }
    __device__ __forceinline__ void decode8(int group, float out[8]) const
    {
        const uint4 v = bytes[group / 2];
        const uint32_t lo = (group & 1) ? v.z : v.x, hi = (group & 1) ? v.w : v.y;
        for (int i = 0; i < 4; i++) {
            out[i] = e4m3_to_float((lo >> (8 * i)) & 0xff) * scale;
            out[4 + i] = e4m3_to_float((hi >> (8 * i)) & 0xff) * scale;
        }
    }
};

struct MoeTiles {
    const int32_t* sorted;
    const int32_t* tile_experts;
    const int32_t* tile_count;
};

__device__ __forceinline__ float dot8(const float w[8], const float* x)
{
    const float4 a = ((const float4*)x)[0], b = ((const float4*)x)[1];
    return w[0] * a.x + w[1] * a.y + w[2] * a.z + w[3] * a.w + w[4] * b.x + w[5] * b.y + w[6] * b.z + w[7] * b.w;
}

// h[tile·TPT + j, n] = SiLU(gate_e[n] · x[token j]) · (up_e[n] · x[token j]) for the tile's tokens and the warp's rows.
template <int DTYPE, int TPT, int RPW>
__global__ void __launch_bounds__(1024) moe_gate_up_kernel(glmrt_moe_params p, const glmrt_expert_matrices* table, const float* x,
                                                           MoeTiles tiles, float* h)
{
    int tile, n0;
    glmrt_expert_matrices m;
    if (!moe_block_start(tiles.tile_count, tiles.tile_experts, table, RPW, p.intermediate, tile, m, n0)) return;
    const int lane = threadIdx.x % GLMRT_WARP_SIZE;
    const float* rows[TPT];
    int count = 0;
    for (int j = 0; j < TPT; j++) {
        const int a = tiles.sorted[tile * TPT + j];
        rows[j] = a >= 0 ? x + (size_t)(a / p.experts_per_token) * p.hidden : nullptr;
        if (a >= 0) count = j + 1; // padding only ever ends a run
    }
    float gate[RPW][TPT], up[RPW][TPT];
    for (int r = 0; r < RPW; r++)
        for (int j = 0; j < TPT; j++) gate[r][j] = up[r][j] = 0.f;
    for (int k = lane * 32; k < p.hidden; k += GLMRT_WARP_SIZE * 32) {
        WeightBlock32<DTYPE> wg[RPW], wu[RPW];
        for (int r = 0; r < RPW; r++) {
            const int n = min(n0 + r, p.intermediate - 1); // rows past the end repeat the last one and are not stored
            wg[r].load(m.gate, m.gate_scales, p.intermediate, p.hidden, n, k, p.block_rows, p.block_columns);
            wu[r].load(m.up, m.up_scales, p.intermediate, p.hidden, n, k, p.block_rows, p.block_columns);
        }
        for (int group = 0; group < 4; group++) {
            float a[RPW][8], b[RPW][8];
            for (int r = 0; r < RPW; r++) {
                wg[r].decode8(group, a[r]);
                wu[r].decode8(group, b[r]);
            }
            for (int j = 0; j < TPT; j++) {
                if (j >= count) break;
                const float* xv = rows[j] + k + 8 * group;
                for (int r = 0; r < RPW; r++) {
                    gate[r][j] += dot8(a[r], xv);
                    up[r][j] += dot8(b[r], xv);
                }
            }
        }
    }
    for (int j = 0; j < TPT; j++) {
        if (j >= count) break;
        for (int r = 0; r < RPW; r++) {
            const float g = warp_sum(gate[r][j]), u = warp_sum(up[r][j]);
            if (lane == 0 && n0 + r < p.intermediate) h[(size_t)(tile * TPT + j) * p.intermediate + n0 + r] = g / (1.f + expf(-g)) * u;
        }
    }
}

// slots[a, n] = weights[a] · (down_e[n] · h[tile·TPT + j]) for each assignment a of the tile.
template <int DTYPE, int TPT, int RPW>
__global__ void __launch_bounds__(1024) moe_down_kernel(glmrt_moe_params p, const glmrt_expert_matrices* table, const float* h,
                                                        MoeTiles tiles, const float* weights, float* slots)
{
    int tile, n0;
    glmrt_expert_matrices m;
    if (!moe_block_start(tiles.tile_count, tiles.tile_experts, table, RPW, p.hidden, tile, m, n0)) return;
    const int lane = threadIdx.x % GLMRT_WARP_SIZE;
    int assignment[TPT], count = 0;
    for (int j = 0; j < TPT; j++) {
        assignment[j] = tiles.sorted[tile * TPT + j];
        if (assignment[j] >= 0) count = j + 1;
    }
    const float* rows = h + (size_t)tile * TPT * p.intermediate;
    float acc[RPW][TPT];
    for (int r = 0; r < RPW; r++)
        for (int j = 0; j < TPT; j++) acc[r][j] = 0.f;
    for (int k = lane * 32; k < p.intermediate; k += GLMRT_WARP_SIZE * 32) {
        WeightBlock32<DTYPE> w[RPW];
        for (int r = 0; r < RPW; r++)
            w[r].load(m.down, m.down_scales, p.hidden, p.intermediate, min(n0 + r, p.hidden - 1), k, p.block_rows, p.block_columns);
        for (int group = 0; group < 4; group++) {
            float a[RPW][8];
            for (int r = 0; r < RPW; r++) w[r].decode8(group, a[r]);
            for (int j = 0; j < TPT; j++) {
                if (j >= count) break;
                const float* xv = rows + (size_t)j * p.intermediate + k + 8 * group;
                for (int r = 0; r < RPW; r++) acc[r][j] += dot8(a[r], xv);
            }
        }
    }
    for (int j = 0; j < TPT; j++) {
        if (j >= count) break;
        for (int r = 0; r < RPW; r++) {
            const float total = warp_sum(acc[r][j]);
            if (lane == 0 && n0 + r < p.hidden) slots[(size_t)assignment[j] * p.hidden + n0 + r] = weights[assignment[j]] * total;
        }
    }
}

// y[t, n] = Σ_slot slots[t·k + slot, n] in slot order, over the slots routed to a real expert.
__global__ void __launch_bounds__(256) moe_reduce_kernel(glmrt_moe_params p, const float* slots, const int32_t* experts,
                                                         int32_t tokens, float* y)
{
    const int64_t count = (int64_t)tokens * p.hidden;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t t = i / p.hidden, n = i % p.hidden;
        float sum = 0.f;
        for (int s = 0; s < p.experts_per_token; s++) {
            const int64_t a = t * p.experts_per_token + s;
            const int e = experts[a];
            if (e >= 0 && e < p.expert_count) sum += slots[a * p.hidden + n];
        }
        y[i] = sum;
    }
}

__global__ void __launch_bounds__(256) bf16_to_f32_kernel(const uint16_t* x, int64_t count, float* y)
{
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x)
        y[i] = bf16_to_float(x[i]);
}

unsigned grid_for(int64_t count) { return (unsigned)((count + 255) / 256 < 65535 ? (count + 255) / 256 : 65535); }

template <int DTYPE, int TPT, int RPW>
void launch_tiles(glmrt_stream* stream, const glmrt_moe_params& p, const glmrt_expert_matrices* table, const float* x,
                  const MoeTiles& tiles, unsigned max_tiles, const float* weights, float* h, float* slots)
{
    const int rows_per_block = p.warps_per_block * RPW, threads = p.warps_per_block * GLMRT_WARP_SIZE;
    const dim3 gate_up_grid(max_tiles, (p.intermediate + rows_per_block - 1) / rows_per_block);
    GLMRT_LAUNCH(gate_up_grid, threads, 0, stream->stream, moe_gate_up_kernel<DTYPE, TPT, RPW>)(p, table, x, tiles, h);
    const dim3 down_grid(max_tiles, (p.hidden + rows_per_block - 1) / rows_per_block);
    GLMRT_LAUNCH(down_grid, threads, 0, stream->stream, moe_down_kernel<DTYPE, TPT, RPW>)(p, table, h, tiles, weights, slots);
}

template <int DTYPE>
void launch_config(glmrt_stream* stream, const glmrt_moe_params& p, const glmrt_expert_matrices* table, const float* x,
                   const MoeTiles& tiles, unsigned max_tiles, const float* weights, float* h, float* slots)
{
#define GLMRT_MOE_CONFIG(T, R)                                                                              \
    if (p.tokens_per_tile == T && p.rows_per_warp == R) {                                                  \
        launch_tiles<DTYPE, T, R>(stream, p, table, x, tiles, max_tiles, weights, h, slots);              \
        return;                                                                                           \
    }
    GLMRT_MOE_CONFIG(1, 1) GLMRT_MOE_CONFIG(1, 2) GLMRT_MOE_CONFIG(1, 4)
    GLMRT_MOE_CONFIG(4, 1) GLMRT_MOE_CONFIG(4, 2) GLMRT_MOE_CONFIG(4, 4)
    GLMRT_MOE_CONFIG(8, 1) GLMRT_MOE_CONFIG(8, 2) GLMRT_MOE_CONFIG(8, 4)
    GLMRT_MOE_CONFIG(16, 1) GLMRT_MOE_CONFIG(16, 2)
#undef GLMRT_MOE_CONFIG
}

// The workspace, in order, each part 256-byte aligned.
struct MoeWorkspace {
    int32_t* sorted;
    int32_t* tile_experts;
    int32_t* tile_count;
    float* x;     // x widened to float32 (bf16 activations only)
    float* h;     // [capacity, I]
    float* slots; // [tokens·k, d]
    uint64_t bytes;
};

MoeWorkspace plan_workspace(const glmrt_moe_params& p, int32_t tokens, uint8_t* base)
{
    uint64_t offset = 0;
    auto take = [&](uint64_t bytes) {
        uint8_t* at = base + offset;
        offset += (bytes + 255) / 256 * 256;
        return at;
    };
    const uint64_t capacity = (uint64_t)moe_capacity(p, tokens);
    MoeWorkspace w;
    w.sorted = (int32_t*)take(4 * capacity);
    w.tile_experts = (int32_t*)take(4 * (uint64_t)moe_max_tiles(p, tokens));
    w.tile_count = (int32_t*)take(4);
    w.x = (float*)take(p.activation_dtype == GLMRT_DTYPE_BF16 ? 4 * (uint64_t)tokens * p.hidden : 0);
    w.h = (float*)take(4 * capacity * p.intermediate);
    w.slots = (float*)take(4 * (uint64_t)tokens * p.experts_per_token * p.hidden);
    w.bytes = offset;
    return w;
}

glmrt_status check_weights(const char* fn, const glmrt_moe_params& p)
{
    GLMRT_REQUIRE(p.dtype == GLMRT_DTYPE_MXFP4 || p.dtype == GLMRT_DTYPE_BF16 || p.dtype == GLMRT_DTYPE_FP8_BLOCK, fn,
                  "expert dtype %d (the grouped kernels take MXFP4, BF16 or FP8_BLOCK)", (int)p.dtype);
    GLMRT_REQUIRE(p.activation_dtype == GLMRT_DTYPE_F32 || p.activation_dtype == GLMRT_DTYPE_BF16, fn,
                  "activation dtype %d (F32 or BF16)", (int)p.activation_dtype);
    GLMRT_REQUIRE(p.hidden > 0 && p.intermediate > 0 && p.hidden % 32 == 0 && p.intermediate % 32 == 0, fn,
                  "hidden %d and intermediate %d must be positive multiples of 32", (int)p.hidden, (int)p.intermediate);
    GLMRT_REQUIRE(p.dtype != GLMRT_DTYPE_FP8_BLOCK || (p.block_rows > 0 && p.block_columns > 0 && p.block_columns % 32 == 0), fn,
                  "FP8 block %d x %d (the width must be a multiple of 32)", (int)p.block_rows, (int)p.block_columns);
    return GLMRT_OK;
}

} // namespace

glmrt_status moe_align_launch(const char* fn, glmrt_stream* stream, const glmrt_moe_params& p, const int32_t* experts, int32_t tokens,
                              int32_t* sorted, int32_t* tile_experts, int32_t* tile_count);
#if GLMRT_HIP && GLMRT_HAS_GFX950
bool moe_gfx950_supports(const glmrt_moe_params& p);
void moe_launch_gfx950(glmrt_stream* stream, const glmrt_moe_params& p, const glmrt_expert_matrices* table, const float* x,
                       const int32_t* sorted, const int32_t* tile_experts, const int32_t* tile_count, unsigned max_tiles,
                       const float* weights, float* h, float* slots);
#endif

extern "C" glmrt_moe_params glmrt_moe_default_params(void)
{
    glmrt_moe_params p = {};
    p.dtype = GLMRT_DTYPE_MXFP4;
    p.activation_dtype = GLMRT_DTYPE_F32;
    p.tokens_per_tile = 8;
    p.rows_per_warp = 2;
    p.warps_per_block = 4;
    return p;
}

extern "C" glmrt_status glmrt_moe_workspace_size(glmrt_moe_params params, int32_t tokens, uint64_t* bytes)
{
    const char* fn = "glmrt_moe_workspace_size";
    GLMRT_REQUIRE(bytes != nullptr, fn, "bytes is NULL");
    GLMRT_TRY(moe_check_routing(fn, params, tokens));
    GLMRT_TRY(check_weights(fn, params));
    *bytes = plan_workspace(params, tokens, nullptr).bytes;
    return GLMRT_OK;
}

extern "C" glmrt_status glmrt_moe_experts(glmrt_stream* stream, glmrt_moe_params params, const glmrt_expert_matrices* table,
                                          const void* x, const int32_t* experts, const float* weights, int32_t tokens,
                                          void* workspace, uint64_t workspace_bytes, float* y)
{
    const char* fn = "glmrt_moe_experts";
    const glmrt_moe_params& p = params;
    GLMRT_TRY(moe_check_routing(fn, p, tokens));
    GLMRT_TRY(check_weights(fn, p));
    GLMRT_REQUIRE(table != nullptr && x != nullptr && experts != nullptr && weights != nullptr && y != nullptr && workspace != nullptr, fn,
                  "a pointer argument is NULL");
    const MoeWorkspace w = plan_workspace(p, tokens, (uint8_t*)workspace);
    GLMRT_REQUIRE(workspace_bytes >= w.bytes, fn, "the workspace has %llu bytes; %d tokens need %llu (glmrt_moe_workspace_size)",
                  (unsigned long long)workspace_bytes, (int)tokens, (unsigned long long)w.bytes);
    GLMRT_TRY(glmrt_bind(fn, stream));
    if (tokens == 0) return GLMRT_OK;

    const float* activations = (const float*)x;
    if (p.activation_dtype == GLMRT_DTYPE_BF16) {
        const int64_t count = (int64_t)tokens * p.hidden;
        GLMRT_LAUNCH(grid_for(count), 256, 0, stream->stream, bf16_to_f32_kernel)((const uint16_t*)x, count, w.x);
        activations = w.x;
    }
    GLMRT_TRY(moe_align_launch(fn, stream, p, experts, tokens, w.sorted, w.tile_experts, w.tile_count));
    const unsigned max_tiles = (unsigned)moe_max_tiles(p, tokens);
    const MoeTiles tiles = {w.sorted, w.tile_experts, w.tile_count};
#if GLMRT_HIP && GLMRT_HAS_GFX950
    if (p.dtype == GLMRT_DTYPE_MXFP4 && stream->device->scaled_fp4 && moe_gfx950_supports(p))
        moe_launch_gfx950(stream, p, table, activations, w.sorted, w.tile_experts, w.tile_count, max_tiles, weights, w.h, w.slots);
    else
#endif
    if (p.dtype == GLMRT_DTYPE_MXFP4)
        launch_config<GLMRT_DTYPE_MXFP4>(stream, p, table, activations, tiles, max_tiles, weights, w.h, w.slots);
    else if (p.dtype == GLMRT_DTYPE_BF16)
        launch_config<GLMRT_DTYPE_BF16>(stream, p, table, activations, tiles, max_tiles, weights, w.h, w.slots);
    else
        launch_config<GLMRT_DTYPE_FP8_BLOCK>(stream, p, table, activations, tiles, max_tiles, weights, w.h, w.slots);
    const int64_t outputs = (int64_t)tokens * p.hidden;
    GLMRT_LAUNCH(grid_for(outputs), 256, 0, stream->stream, moe_reduce_kernel)(p, w.slots, experts, tokens, y);
    return glmrt_check_launch(fn);
}
