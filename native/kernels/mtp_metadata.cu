// Fused MTP metadata: one launch prepares, for every draft pass and the verify pass of one speculative round, the
// row ranges, positions, KV slots and cache lengths of every request, in the layout of the managed
// SpeculativeStepMetadata (src/GlmRuntime/Speculative/). R requests, S = the round's most draft steps:
//   pass 0:        MTP slots M_r..L_r−1 when s_r ≥ 1 (draft-extend; the last row drafts d₁);
//   pass k < S:    MTP slot L_r+k−1 when s_r > k;
//   pass S:        target positions L_r..L_r+s_r (root and drafts).
// Rows are pass-major, then request order; slot = page·page_size + position mod page_size.
#include "../shim/internal.h"

constexpr int kMetadataThreads = 256;

__device__ __forceinline__ int rows_of(int pass, int steps, int kv, int mtp, int drafts)
{
    return pass == steps ? drafts + 1 : pass == 0 ? (drafts >= 1 ? kv - mtp : 0) : (drafts > pass ? 1 : 0);
}

__device__ __forceinline__ int first_position(int pass, int steps, int kv, int mtp) { return pass == steps ? kv : pass == 0 ? mtp : kv + pass - 1; }

__global__ void __launch_bounds__(kMetadataThreads) mtp_metadata_kernel(const int32_t* kv_lengths, const int32_t* mtp_lengths,
                                                                       const int32_t* drafts, const int32_t* page_table, int requests,
                                                                       int stride, int page_size, int steps, int max_rows,
                                                                       int32_t* row_starts, int32_t* cache_lengths, int32_t* positions,
                                                                       int32_t* slots, int32_t* error)
{
    const int pairs = (steps + 1) * requests;
    for (int at = threadIdx.x; at < pairs; at += blockDim.x) {
        const int pass = at / requests, r = at % requests;
        const int rows = rows_of(pass, steps, kv_lengths[r], mtp_lengths[r], drafts[r]);
        row_starts[at + 1] = rows;
        cache_lengths[at] = pass == steps ? kv_lengths[r] + drafts[r] + 1
                            : rows > 0     ? first_position(pass, steps, kv_lengths[r], mtp_lengths[r]) + rows
                                           : 0;
    }
    __syncthreads();
    if (threadIdx.x == 0) { // (S+1)·R is a few hundred at most: one thread's prefix sum is not the cost here
        row_starts[0] = 0;
        for (int at = 0; at < pairs; at++) row_starts[at + 1] += row_starts[at];
        *error = row_starts[pairs] > max_rows ? -2 : -1;
    }
    __syncthreads();
    if (*error == -2) return;
    for (int at = threadIdx.x; at < pairs; at += blockDim.x) {
        const int pass = at / requests, r = at % requests;
        const int first = first_position(pass, steps, kv_lengths[r], mtp_lengths[r]);
        for (int row = row_starts[at]; row < row_starts[at + 1]; row++) {
            const int position = first + row - row_starts[at], column = position / page_size;
            const int page = column < stride ? page_table[(size_t)r * stride + column] : -1;
            if (page < 0) {
                atomicMax(error, r); // a row without a page names its request (the largest such id)
                continue;
            }
            positions[row] = position;
            slots[row] = page * page_size + position % page_size;
        }
    }
}

extern "C" glmrt_status glmrt_mtp_metadata(glmrt_stream* stream, const int32_t* kv_lengths, const int32_t* mtp_lengths, const int32_t* drafts,
                                           const int32_t* page_table, int32_t requests, int32_t page_table_stride, int32_t page_size,
                                           int32_t steps, int32_t max_rows, int32_t* row_starts, int32_t* cache_lengths,
                                           int32_t* positions, int32_t* slots, int32_t* error)
{
    const char* fn = "glmrt_mtp_metadata";
    GLMRT_REQUIRE(requests >= 0 && page_table_stride > 0 && page_size > 0 && steps >= 0 && max_rows >= 0, fn,
                  "%d requests, stride %d, page %d, %d steps, %d rows", (int)requests, (int)page_table_stride, (int)page_size,
                  (int)steps, (int)max_rows);
    GLMRT_REQUIRE(kv_lengths != nullptr && mtp_lengths != nullptr && drafts != nullptr && page_table != nullptr && row_starts != nullptr &&
                      cache_lengths != nullptr && positions != nullptr && slots != nullptr && error != nullptr,
                  fn, "a pointer argument is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    GLMRT_LAUNCH(1, kMetadataThreads, 0, stream->stream, mtp_metadata_kernel)(kv_lengths, mtp_lengths, drafts, page_table, requests,
                                                                             page_table_stride, page_size, steps, max_rows, row_starts,
                                                                             cache_lengths, positions, slots, error);
    return glmrt_check_launch(fn);
}
