// What the MoE kernels share: the sizes glmrt_moe_align's outputs need and the checks of glmrt_moe_params.
#pragma once

#include "../shim/internal.h"

constexpr int kMoeMaxExperts = 4096;

// Assignments plus the worst-case padding: each expert that receives any assignment pads its run by < tokens_per_tile.
inline int64_t moe_capacity(const glmrt_moe_params& p, int32_t tokens)
{
    const int64_t assignments = (int64_t)tokens * p.experts_per_token;
    const int64_t active = assignments < p.expert_count ? assignments : p.expert_count;
    return assignments + active * (p.tokens_per_tile - 1);
}

inline int64_t moe_max_tiles(const glmrt_moe_params& p, int32_t tokens) { return moe_capacity(p, tokens) / p.tokens_per_tile; }

inline bool moe_tile_config_supported(int tokens_per_tile, int rows_per_warp)
{
    const bool tile = tokens_per_tile == 1 || tokens_per_tile == 4 || tokens_per_tile == 8 || tokens_per_tile == 16;
    const bool rows = rows_per_warp == 1 || rows_per_warp == 2 || rows_per_warp == 4;
    return tile && rows && tokens_per_tile * rows_per_warp <= 32;
}

// The launch configuration and routing fields; glmrt_moe_experts checks the weight fields on top.
inline glmrt_status moe_check_routing(const char* fn, const glmrt_moe_params& p, int32_t tokens)
{
    GLMRT_REQUIRE(tokens >= 0 && p.expert_count > 0 && p.expert_count <= kMoeMaxExperts && p.experts_per_token > 0 &&
                      p.experts_per_token <= p.expert_count,
                  fn, "%d tokens, %d experts (at most %d), %d per token", (int)tokens, (int)p.expert_count, kMoeMaxExperts,
                  (int)p.experts_per_token);
    GLMRT_REQUIRE(moe_tile_config_supported(p.tokens_per_tile, p.rows_per_warp), fn,
                  "tokens_per_tile %d and rows_per_warp %d: tiles of 1, 4, 8 or 16 tokens, 1, 2 or 4 rows, product at most 32",
                  (int)p.tokens_per_tile, (int)p.rows_per_warp);
    GLMRT_REQUIRE(p.warps_per_block >= 1 && p.warps_per_block * GLMRT_WARP_SIZE <= 1024, fn,
                  "warps_per_block %d (1 to %d on warp %d)", (int)p.warps_per_block, 1024 / GLMRT_WARP_SIZE, GLMRT_WARP_SIZE);
    return GLMRT_OK;
}

// Where a grouped-GEMM block starts: its tile (blockIdx.x) and expert, and the calling warp's first output row
// (blockIdx.y picks the block's rows, each warp owns rows_per_warp of them). False when the tile is past the aligned
// tiles or the rows past the matrix, so the warp has nothing to do.
__device__ __forceinline__ bool moe_block_start(const int32_t* tile_count, const int32_t* tile_experts, const glmrt_expert_matrices* table,
                                                int rows_per_warp, int rows, int& tile, glmrt_expert_matrices& m, int& n0)
{
    tile = blockIdx.x;
    if (tile >= *tile_count) return false;
    m = table[tile_experts[tile]];
    n0 = (blockIdx.y * (blockDim.x / GLMRT_WARP_SIZE) + threadIdx.x / GLMRT_WARP_SIZE) * rows_per_warp;
    return n0 < rows;
}
