/*
 * glmrt.h: the whole C ABI of GlmRuntime's GPU library (libglmrt), C99.
 *
 * Conventions
 *  - Objects are opaque handles; every glmrt_<object>_create has a glmrt_<object>_destroy (NULL is accepted and
 *    ignored). Destroy a device's streams, events, buffers and weights before the device.
 *  - Every function that can fail returns a glmrt_status. GLMRT_OK is 0. On failure, glmrt_last_error() gives a
 *    message for the calling thread naming the function and the runtime's own error.
 *  - Host memory passed in is owned by the caller; the library never keeps a host pointer after a call returns,
 *    except that an asynchronous copy reads or writes it until its stream is synchronized.
 *  - "Device pointer" parameters are addresses inside memory this library allocated (glmrt_buffer_data,
 *    glmrt_weights_data plus an offset). Shapes are int32, byte counts and offsets uint64.
 *  - Kernels (glmrt_<op>_<dtype>) enqueue work on a stream and return at once; launch errors are reported then,
 *    execution errors at the next synchronization.
 *  - Activations are float32 row-major; weights stay in their stored form (bf16, f16, f32, fp8 e4m3 with 128x128
 *    float32 block scales, MXFP4 E2M1 nibbles with E8M0 scales per 32 in AMD Quark's layout).
 *  - No C++ type, exception or vendor runtime type crosses this header.
 */
#ifndef GLMRT_H
#define GLMRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define GLMRT_API __declspec(dllexport)
#else
#  define GLMRT_API __attribute__((visibility("default")))
#endif

/* Bumped when a signature or struct layout changes; the managed side refuses a library whose ABI differs. */
#define GLMRT_ABI_VERSION 2
#define GLMRT_VERSION_MAJOR 0
#define GLMRT_VERSION_MINOR 1
#define GLMRT_VERSION_PATCH 0

typedef enum glmrt_status {
    GLMRT_OK = 0,
    GLMRT_ERROR_INVALID_ARGUMENT = 1, /* a null handle or pointer, a negative shape, an offset past a buffer */
    GLMRT_ERROR_NO_DEVICE = 2,        /* no GPU, or the index is not one of them */
    GLMRT_ERROR_OUT_OF_MEMORY = 3,    /* device or pinned host allocation failed */
    GLMRT_ERROR_RUNTIME = 4,          /* any other HIP/CUDA runtime error (the message has the runtime's text) */
    GLMRT_ERROR_LAUNCH = 5,           /* a kernel failed to launch */
    GLMRT_ERROR_UNSUPPORTED = 6,      /* a dtype, shape or option this build does not handle */
    GLMRT_ERROR_DRIVER = 7            /* the driver is missing or older than the runtime */
} glmrt_status;

typedef enum glmrt_dtype {
    GLMRT_DTYPE_F32 = 0,
    GLMRT_DTYPE_F16 = 1,
    GLMRT_DTYPE_BF16 = 2,
    GLMRT_DTYPE_FP8_BLOCK = 3, /* e4m3fn bytes + float32 scale_inv per (block_n x block_k) tile */
    GLMRT_DTYPE_MXFP4 = 4      /* packed E2M1 (element 2j in the low nibble of byte j) + E8M0 scale per 32 */
} glmrt_dtype;

/* Opaque handles. */
typedef struct glmrt_device glmrt_device;
typedef struct glmrt_stream glmrt_stream;
typedef struct glmrt_event glmrt_event;
typedef struct glmrt_buffer glmrt_buffer;           /* device memory */
typedef struct glmrt_host_buffer glmrt_host_buffer; /* pinned host memory for staging */
typedef struct glmrt_weights glmrt_weights;         /* a device arena holding a model's packed weights */

/* ---- library --------------------------------------------------------------------------------------------- */

/* GLMRT_ABI_VERSION of the built library. Never fails. */
GLMRT_API int32_t glmrt_abi_version(void);
/* (major << 16) | (minor << 8) | patch. Never fails. */
GLMRT_API uint32_t glmrt_version(void);
/* A static English description of a status; never NULL. */
GLMRT_API const char* glmrt_status_message(glmrt_status status);
/* The calling thread's message for its last failed call ("" when none); valid until that thread's next call. */
GLMRT_API const char* glmrt_last_error(void);

typedef struct glmrt_runtime_info {
    char vendor[16];           /* "hip" or "cuda" */
    int32_t runtime_version;   /* hipRuntimeGetVersion / cudaRuntimeGetVersion (0 when it failed) */
    int32_t driver_version;    /* hipDriverGetVersion / cudaDriverGetVersion (0 when none) */
    int32_t device_count;      /* 0 when the runtime found none */
    int32_t device_query_error;/* the runtime's error code for the device query (0 = success) */
    char device_query_message[256]; /* its text, e.g. "no ROCm-capable device is detected" */
    char compiled_architectures[256]; /* the offload targets this library was built for */
} glmrt_runtime_info;

/* Fills *info. Succeeds without a GPU (device_count 0, the runtime's reason in device_query_message).
 * Returns GLMRT_ERROR_INVALID_ARGUMENT when info is NULL. */
GLMRT_API glmrt_status glmrt_runtime_get_info(glmrt_runtime_info* info);

/* ---- devices --------------------------------------------------------------------------------------------- */

typedef struct glmrt_device_info {
    char name[256];
    char architecture[64];      /* "gfx942:sramecc+:xnack-", "sm_90" */
    uint64_t total_memory;      /* bytes */
    uint64_t free_memory;       /* bytes, at the time of the query */
    int32_t multiprocessor_count;
    int32_t warp_size;
    int32_t compute_major;
    int32_t compute_minor;
    int32_t pci_bus_id;
    int32_t clock_khz;
    int32_t memory_clock_khz;
    int32_t memory_bus_width;   /* bits */
} glmrt_device_info;

/* The number of visible devices in *count (0 without a GPU: not an error). */
GLMRT_API glmrt_status glmrt_device_count(int32_t* count);
/* Properties of device `index`. GLMRT_ERROR_NO_DEVICE when index is out of range. */
GLMRT_API glmrt_status glmrt_device_get_info(int32_t index, glmrt_device_info* info);

typedef struct glmrt_device_params {
    int32_t index; /* which device; default 0 */
} glmrt_device_params;

GLMRT_API glmrt_device_params glmrt_device_default_params(void);
/* Opens a device. GLMRT_ERROR_NO_DEVICE when params.index is not a visible device. */
GLMRT_API glmrt_status glmrt_device_create(glmrt_device_params params, glmrt_device** device);
GLMRT_API void glmrt_device_destroy(glmrt_device* device);
/* Waits for all work on the device. */
GLMRT_API glmrt_status glmrt_device_synchronize(glmrt_device* device);

/* ---- streams and events ---------------------------------------------------------------------------------- */

/* A non-blocking stream on the device. */
GLMRT_API glmrt_status glmrt_stream_create(glmrt_device* device, glmrt_stream** stream);
GLMRT_API void glmrt_stream_destroy(glmrt_stream* stream);
/* Waits for the stream's work; reports any asynchronous error of that work. */
GLMRT_API glmrt_status glmrt_stream_synchronize(glmrt_stream* stream);

GLMRT_API glmrt_status glmrt_event_create(glmrt_device* device, glmrt_event** event);
GLMRT_API void glmrt_event_destroy(glmrt_event* event);
GLMRT_API glmrt_status glmrt_event_record(glmrt_event* event, glmrt_stream* stream);
GLMRT_API glmrt_status glmrt_event_synchronize(glmrt_event* event);
/* Milliseconds between two recorded, completed events. */
GLMRT_API glmrt_status glmrt_event_elapsed_ms(glmrt_event* start, glmrt_event* end, float* milliseconds);

/* ---- memory ---------------------------------------------------------------------------------------------- */

/* Device memory of `bytes` (> 0), 256-byte aligned, uninitialized. */
GLMRT_API glmrt_status glmrt_buffer_create(glmrt_device* device, uint64_t bytes, glmrt_buffer** buffer);
GLMRT_API void glmrt_buffer_destroy(glmrt_buffer* buffer);
/* The device pointer of the buffer's first byte (NULL for a NULL buffer). */
GLMRT_API void* glmrt_buffer_data(const glmrt_buffer* buffer);
GLMRT_API uint64_t glmrt_buffer_size(const glmrt_buffer* buffer);

/* Pinned host memory for staging copies. */
GLMRT_API glmrt_status glmrt_host_buffer_create(glmrt_device* device, uint64_t bytes, glmrt_host_buffer** buffer);
GLMRT_API void glmrt_host_buffer_destroy(glmrt_host_buffer* buffer);
GLMRT_API void* glmrt_host_buffer_data(const glmrt_host_buffer* buffer);
GLMRT_API uint64_t glmrt_host_buffer_size(const glmrt_host_buffer* buffer);

/* Asynchronous copies on `stream`; ranges are checked against the buffer's size. */
GLMRT_API glmrt_status glmrt_copy_to_device(glmrt_stream* stream, glmrt_buffer* destination, uint64_t destination_offset,
                                            const void* source, uint64_t bytes);
GLMRT_API glmrt_status glmrt_copy_to_host(glmrt_stream* stream, void* destination, const glmrt_buffer* source,
                                          uint64_t source_offset, uint64_t bytes);
GLMRT_API glmrt_status glmrt_copy_on_device(glmrt_stream* stream, glmrt_buffer* destination, uint64_t destination_offset,
                                            const glmrt_buffer* source, uint64_t source_offset, uint64_t bytes);
/* Sets bytes [offset, offset + bytes) of the buffer to `value`. */
GLMRT_API glmrt_status glmrt_buffer_fill(glmrt_stream* stream, glmrt_buffer* buffer, uint64_t offset, uint64_t bytes, uint8_t value);

/* ---- weights --------------------------------------------------------------------------------------------- */

/* A device arena of `capacity` bytes that tensors are appended to in their packed form. */
GLMRT_API glmrt_status glmrt_weights_create(glmrt_device* device, uint64_t capacity, glmrt_weights** weights);
GLMRT_API void glmrt_weights_destroy(glmrt_weights* weights);
/* Appends `bytes` of host data at the next 256-byte boundary; *offset receives where they went. The copy is
 * asynchronous on `stream`. GLMRT_ERROR_OUT_OF_MEMORY when the arena is full. */
GLMRT_API glmrt_status glmrt_weights_upload(glmrt_weights* weights, glmrt_stream* stream, const void* data, uint64_t bytes,
                                            uint64_t* offset);
/* The arena's device pointer; a tensor lives at glmrt_weights_data(w) + offset. */
GLMRT_API const void* glmrt_weights_data(const glmrt_weights* weights);
GLMRT_API uint64_t glmrt_weights_used(const glmrt_weights* weights);
GLMRT_API uint64_t glmrt_weights_capacity(const glmrt_weights* weights);

/* ---- kernels --------------------------------------------------------------------------------------------- */

/* A weight matrix W [n, k] (y = x · Wᵀ) in its stored form, as device pointers. */
typedef struct glmrt_matrix {
    int32_t dtype;        /* glmrt_dtype */
    int32_t rows;         /* n */
    int32_t columns;      /* k */
    int32_t block_rows;   /* FP8 block: scale tile height (128); else 0 */
    int32_t block_columns;/* FP8 block: scale tile width (128); else 0 */
    int32_t reserved;
    const void* data;     /* f32/f16/bf16 [n, k]; fp8 [n, k]; mxfp4 [n, ceil(k/2)] */
    const void* scales;   /* fp8: float32 [ceil(n/block_rows), ceil(k/block_columns)]; mxfp4: E8M0 [n, ceil(k/32)] */
} glmrt_matrix;

/* out[t, :] = W[tokens[t], :] as float32, for t < count. Token ids must be in [0, W.rows) (checked by the caller). */
GLMRT_API glmrt_status glmrt_embedding_gather(glmrt_stream* stream, glmrt_matrix table, const int32_t* tokens, int32_t count,
                                              float* out);

/* y = w ⊙ x / sqrt(mean(x²) + eps), per row of `width`. y may alias x. */
GLMRT_API glmrt_status glmrt_rms_norm_f32(glmrt_stream* stream, const float* x, const float* weight, float* y, int32_t rows,
                                          int32_t width, float epsilon);
/* y = γ ⊙ (x − mean) / sqrt(var + eps) + β, per row (biased variance). y may alias x. */
GLMRT_API glmrt_status glmrt_layer_norm_f32(glmrt_stream* stream, const float* x, const float* gamma, const float* beta, float* y,
                                            int32_t rows, int32_t width, float epsilon);

typedef struct glmrt_rope_params {
    int32_t heads;          /* heads per row */
    int32_t head_stride;    /* floats between heads */
    int32_t offset;         /* first rotated value within a head */
    int32_t rotary_dim;     /* d_r (even) */
    int32_t interleaved;    /* 1: pairs (2i, 2i+1) (GPT-J, GLM-5); 0: pairs (i, i + d_r/2) (NeoX) */
    float attention_factor; /* multiplies cos and sin (YaRN), 1 otherwise */
} glmrt_rope_params;

GLMRT_API glmrt_rope_params glmrt_rope_default_params(void);
/* Rotates data [rows, heads, head_stride] in place; row t sits at positions[t]; angles positions[t]·inv_freq[i]. */
GLMRT_API glmrt_status glmrt_rope_f32(glmrt_stream* stream, float* data, int32_t rows, const int32_t* positions,
                                      const float* inverse_frequencies, glmrt_rope_params params);

/* out = SiLU(gate) ⊙ up, elementwise over `count` values. */
GLMRT_API glmrt_status glmrt_swiglu_f32(glmrt_stream* stream, const float* gate, const float* up, float* out, int64_t count);

/* y [t, n] = Σ_k x[t, k] · W[n, k] for t < tokens: x float32 [tokens, k], y float32 [tokens, n]. Any dtype of
 * glmrt_dtype (the per-dtype kernels live in gemm_dense.cu, gemm_fp8_block.cu and gemm_mxfp4.cu). */
GLMRT_API glmrt_status glmrt_gemm(glmrt_stream* stream, glmrt_matrix weight, const float* x, int32_t tokens, float* y);

typedef struct glmrt_router_params {
    int32_t expert_count;
    int32_t experts_per_token;
    int32_t group_count;     /* 1 = no group limit */
    int32_t groups_kept;
    int32_t normalize_top_k; /* 1: divide the chosen weights by their sum */
    int32_t softmax_scoring; /* 1: softmax scores; 0: sigmoid (GLM-5) */
    float scaling_factor;    /* routed_scaling_factor */
} glmrt_router_params;

GLMRT_API glmrt_router_params glmrt_router_default_params(void);
/* Per token: scores = sigmoid(logits) (or softmax), choice = scores + bias (bias may be NULL), group limit, top-k by
 * choice (ties to the lower id), weights from the unbiased scores. experts/weights [tokens, k], ids ascending. */
GLMRT_API glmrt_status glmrt_router_topk_f32(glmrt_stream* stream, const float* logits, const float* correction_bias,
                                             int32_t tokens, glmrt_router_params params, int32_t* experts, float* weights);

/* out_h[t, n] = Σ_i x[t, h, i] · W[h·rows_per_head + row_offset + i, n] (transposed per head: MLA's q̃ = W^UKᵀ q_nope)
 * x [tokens, heads, x_stride] read from x_offset, out [tokens, heads, out_stride] written at out_offset for n < W.columns. */
typedef struct glmrt_head_projection {
    int32_t heads;
    int32_t rows_per_head;  /* rows of W per head (d_n + d_v for kv_b_proj) */
    int32_t row_offset;     /* first row of the head's slice (0 for W^UK, d_n for W^UV) */
    int32_t inner;          /* length of the per-head slice (d_n for W^UK, d_v for W^UV) */
    int32_t x_stride;       /* floats per head in x */
    int32_t out_stride;     /* floats per head in out */
} glmrt_head_projection;

/* Absorb: out[t, h, n] = Σ_{i<inner} x[t, h, i] · W[h·rph + off + i, n], n < W.columns (the latent rank). */
GLMRT_API glmrt_status glmrt_mla_absorb_query(glmrt_stream* stream, glmrt_matrix kv_b, glmrt_head_projection p, const float* x,
                                              int32_t tokens, float* out);
/* Expand: out[t, h, j] = Σ_r x[t, h, r] · W[h·rph + off + j, r], j < inner, r < W.columns. */
GLMRT_API glmrt_status glmrt_mla_expand_values(glmrt_stream* stream, glmrt_matrix kv_b, glmrt_head_projection p, const float* x,
                                               int32_t tokens, float* out);

typedef struct glmrt_mla_attention_params {
    int32_t heads;
    int32_t kv_rank;        /* r_kv: latent width and value width of the absorbed form */
    int32_t rope_dim;       /* d_r */
    int32_t nope_dim;       /* d_n (expanded form) */
    int32_t value_dim;      /* d_v (expanded form) */
    int32_t page_size;      /* tokens per latent page */
    int32_t cached_count;   /* tokens in the sequence's cache */
    int32_t selected_per_query; /* 0: causal over the whole cache; else width of `selected` rows */
    float scale;            /* softmax scale τ */
} glmrt_mla_attention_params;

GLMRT_API glmrt_mla_attention_params glmrt_mla_attention_default_params(void);
/* Absorbed MLA (MQA over the latent) for one sequence. query [T, H, r_kv + d_r]; latent pages: pool [slots, r_kv + d_r]
 * with position s at slot page_table[s / page_size] · page_size + s % page_size; keys s ≤ positions[t] (and, when
 * selected_per_query > 0, only the ids in selected [T, selected_per_query], −1 = none). out [T, H, r_kv]; a query
 * with no key gets zeros. */
GLMRT_API glmrt_status glmrt_mla_attention_decode_f32(glmrt_stream* stream, glmrt_mla_attention_params params, const float* query,
                                                      const float* latent_pool, const int32_t* page_table,
                                                      const int32_t* positions, const int32_t* selected, int32_t tokens,
                                                      float* out);
/* The same absorbed attention as glmrt_mla_attention_decode_f32, as sparse MLA decode: one block per token and group of
 * 8 heads stages each tile of selected latent rows once for all of them. Needs r_kv ≤ 2048 and
 * (8 + 8)·(r_kv + d_r) floats of shared memory (GLM-5's 576-wide rows: 36 KiB); GLMRT_ERROR_UNSUPPORTED otherwise. */
GLMRT_API glmrt_status glmrt_sparse_mla_decode_f32(glmrt_stream* stream, glmrt_mla_attention_params params, const float* query,
                                                   const float* latent_pool, const int32_t* page_table, const int32_t* positions,
                                                   const int32_t* selected, int32_t tokens, float* out);
/* How latent pages store a row of r_kv + d_r values (src/GlmRuntime/Kv/KvRowCodec.cs):
 * F32 and BF16 store every value; FP8_E4M3 is FlashMLA's form: r_kv e4m3 bytes, then ceil(r_kv/128) float32 scales
 * (one per 128 values), then d_r bf16 (GLM-5: 512 + 16 + 128 = 656 bytes). */
typedef enum glmrt_kv_format {
    GLMRT_KV_F32 = 0,
    GLMRT_KV_BF16 = 1,
    GLMRT_KV_FP8_E4M3 = 2
} glmrt_kv_format;

/* Bytes of one latent row of r_kv + d_r values in `format` (0 for an unknown format). Never fails. */
GLMRT_API uint64_t glmrt_kv_row_bytes(int32_t format, int32_t kv_rank, int32_t rope_dim);
/* glmrt_sparse_mla_decode_f32 over latent pages in any glmrt_kv_format: latent_pool is the page bytes, row s at
 * (page_table[s / page_size]·page_size + s % page_size)·glmrt_kv_row_bytes(...). Rows are decoded to float32 as
 * they are staged; the arithmetic after that is the f32 kernel's. */
GLMRT_API glmrt_status glmrt_sparse_mla_decode(glmrt_stream* stream, glmrt_mla_attention_params params, int32_t latent_format,
                                               const float* query, const void* latent_pool, const int32_t* page_table,
                                               const int32_t* positions, const int32_t* selected, int32_t tokens, float* out);
/* Expanded MLA (MHA): query [T, H, d_n + d_r]; expanded_kv [S, H, d_n + d_v]; k_rope is the tail of each latent slot.
 * out [T, H, d_v]. Same masking as the absorbed form. */
GLMRT_API glmrt_status glmrt_mla_attention_expanded_f32(glmrt_stream* stream, glmrt_mla_attention_params params, const float* query,
                                                        const float* expanded_kv, const float* latent_pool,
                                                        const int32_t* page_table, const int32_t* positions,
                                                        const int32_t* selected, int32_t tokens, float* out);

/* Lightning-indexer selection (MODEL.md §3.5) for one sequence: I(t, s) = Σ_j w[t, j]·ReLU(q[t, j]·k[s]) over the keys
 * s ≤ positions[t]; the top min(top_k, positions[t] + 1) positions per query, ascending, padded with −1, ties to the
 * earlier key. query [T, H, D], head_weights [T, H] (scales folded in), keys in pages: key s at row
 * page_table[s / page_size]·page_size + s % page_size of `keys` [rows, D]. scores is float32 scratch [T, key_count];
 * selected [T, top_k]. */
GLMRT_API glmrt_status glmrt_indexer_topk_f32(glmrt_stream* stream, const float* query, const float* head_weights, const float* keys,
                                              const int32_t* page_table, int32_t page_size, int32_t tokens, int32_t heads,
                                              int32_t head_dim, int32_t key_count, const int32_t* positions, int32_t top_k,
                                              float* scores, int32_t* selected);

/* Fused MTP metadata of one speculative round (the layout of src/GlmRuntime/Speculative/SpeculativeStepMetadata.cs):
 * inputs per request r < R: kv_lengths L_r, mtp_lengths M_r ≤ L_r, drafts s_r ≤ steps (consistent: s_r > 0 needs
 * M_r < L_r), page_table [R, page_table_stride] (−1 past the last page). Outputs: row_starts [(steps+1)·R + 1] (pass-major
 * prefix sums of rows), cache_lengths [(steps+1)·R], positions and slots [max_rows]. *error is −1 on success, −2 when
 * the rows exceed max_rows (nothing else written), or the id of a request with a row whose page the table lacks. */
GLMRT_API glmrt_status glmrt_mtp_metadata(glmrt_stream* stream, const int32_t* kv_lengths, const int32_t* mtp_lengths,
                                          const int32_t* drafts, const int32_t* page_table, int32_t requests,
                                          int32_t page_table_stride, int32_t page_size, int32_t steps, int32_t max_rows,
                                          int32_t* row_starts, int32_t* cache_lengths, int32_t* positions, int32_t* slots,
                                          int32_t* error);

/* ---- MoE grouped GEMM ------------------------------------------------------------------------------------ */

/* One routed expert's SwiGLU MLP as device pointers: gate and up [intermediate, hidden], down [hidden, intermediate],
 * each in the stored layout glmrt_matrix describes (MXFP4: Quark's, as loaded; nothing is repacked). */
typedef struct glmrt_expert_matrices {
    const void* gate;
    const void* gate_scales;
    const void* up;
    const void* up_scales;
    const void* down;
    const void* down_scales;
} glmrt_expert_matrices;

typedef struct glmrt_moe_params {
    int32_t dtype;             /* glmrt_dtype of every expert matrix: MXFP4, BF16 or FP8_BLOCK */
    int32_t activation_dtype;  /* x: GLMRT_DTYPE_F32 or GLMRT_DTYPE_BF16 */
    int32_t hidden;            /* d (a multiple of 32) */
    int32_t intermediate;      /* I (a multiple of 32) */
    int32_t expert_count;      /* E ≤ 4096 */
    int32_t experts_per_token; /* k */
    int32_t block_rows;        /* FP8_BLOCK: scale tile height; else 0 */
    int32_t block_columns;     /* FP8_BLOCK: scale tile width (a multiple of 32); else 0 */
    /* Launch configuration (the managed kernel-config table chooses it per architecture, token bucket and shape): */
    int32_t tokens_per_tile;   /* one expert's tokens sharing each decoded weight: 1, 4, 8 or 16 */
    int32_t rows_per_warp;     /* output rows per warp: 1, 2 or 4 (tokens_per_tile · rows_per_warp ≤ 32) */
    int32_t warps_per_block;   /* 1 .. 1024 / warp size */
    int32_t reserved;
} glmrt_moe_params;

/* MXFP4, f32 activations, 8 tokens per tile, 2 rows per warp, 4 warps; shapes zero (the caller sets them). */
GLMRT_API glmrt_moe_params glmrt_moe_default_params(void);
/* Device workspace glmrt_moe_experts needs for `tokens` tokens. */
GLMRT_API glmrt_status glmrt_moe_workspace_size(glmrt_moe_params params, int32_t tokens, uint64_t* bytes);
/* Sort and pad: groups the tokens·k assignments (a = t·k + slot) of `experts` [tokens, k] by expert, each expert's run
 * padded with −1 to a multiple of tokens_per_tile. sorted [capacity], tile_experts [capacity / tokens_per_tile] and
 * tile_count [1] are device memory; capacity = tokens·k + min(E, tokens·k)·(tokens_per_tile − 1). Ids outside [0, E)
 * are dropped (they route nowhere). The order within one expert's run is unspecified; results do not depend on it. */
GLMRT_API glmrt_status glmrt_moe_align(glmrt_stream* stream, glmrt_moe_params params, const int32_t* experts, int32_t tokens,
                                       int32_t* sorted, int32_t* tile_experts, int32_t* tile_count);
/* The routed experts of one MoE layer: y[t] = Σ_slot weights[t, slot] · down_e(SiLU(gate_e x[t]) ⊙ up_e x[t]) with
 * e = experts[t, slot], summed in slot order. `table` [E] is device memory; x [tokens, d] in activation_dtype;
 * experts/weights [tokens, k] (glmrt_router_topk_f32's outputs); y float32 [tokens, d]. Runs glmrt_moe_align, a
 * gate/up kernel with the SwiGLU fused (one tile of an expert's tokens × rows, weights decoded in registers), a down
 * kernel that applies the routing weight per assignment, and the per-token reduction. On gfx950 the MXFP4 kernels
 * use the scaled-FP4 matrix instructions (activations quantized to MXFP8 per 32); elsewhere the portable path. */
GLMRT_API glmrt_status glmrt_moe_experts(glmrt_stream* stream, glmrt_moe_params params, const glmrt_expert_matrices* table,
                                         const void* x, const int32_t* experts, const float* weights, int32_t tokens,
                                         void* workspace, uint64_t workspace_bytes, float* y);

typedef struct glmrt_sampling_params {
    float temperature; /* ≤ 0: greedy (argmax, ties to the lower id) */
    int32_t top_k;     /* ≤ 0: off */
    float top_p;       /* ≥ 1: off */
    float min_p;       /* ≤ 0: off */
} glmrt_sampling_params;

GLMRT_API glmrt_sampling_params glmrt_sampling_default_params(void);
/* One token per row of logits [rows, vocab]. Non-greedy rows draw with uniforms[row] in [0, 1) over the kept tokens
 * in id order; scratch is float32 [rows, vocab] of device memory. tokens [rows]. */
GLMRT_API glmrt_status glmrt_sample_f32(glmrt_stream* stream, const float* logits, int32_t rows, int32_t vocab,
                                        glmrt_sampling_params params, const float* uniforms, float* scratch,
                                        int32_t* tokens);

#ifdef __cplusplus
}
#endif

#endif /* GLMRT_H */
