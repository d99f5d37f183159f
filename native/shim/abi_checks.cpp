// Compile-time pins of the ABI's struct layouts. The managed mirrors (src/GlmRuntime/Native/GlmrtStructs.cs) are
// checked against the same numbers by NativeAbiTests, so a field added on one side only fails a build or a test.
#include "internal.h"

#include <stddef.h>

static_assert(sizeof(glmrt_runtime_info) == 544, "glmrt_runtime_info layout");
static_assert(sizeof(glmrt_device_info) == 368, "glmrt_device_info layout");
static_assert(offsetof(glmrt_device_info, total_memory) == 320, "glmrt_device_info layout");
static_assert(sizeof(glmrt_device_params) == 4, "glmrt_device_params layout");
static_assert(sizeof(glmrt_matrix) == 40, "glmrt_matrix layout");
static_assert(offsetof(glmrt_matrix, data) == 24, "glmrt_matrix layout");
static_assert(sizeof(glmrt_rope_params) == 24, "glmrt_rope_params layout");
static_assert(sizeof(glmrt_router_params) == 28, "glmrt_router_params layout");
static_assert(sizeof(glmrt_head_projection) == 24, "glmrt_head_projection layout");
static_assert(sizeof(glmrt_mla_attention_params) == 36, "glmrt_mla_attention_params layout");
static_assert(sizeof(glmrt_sampling_params) == 16, "glmrt_sampling_params layout");
static_assert(sizeof(glmrt_expert_matrices) == 48, "glmrt_expert_matrices layout");
static_assert(sizeof(glmrt_moe_params) == 48, "glmrt_moe_params layout");
static_assert(sizeof(glmrt_kv_format) == 4, "enums are 32-bit");
static_assert(sizeof(glmrt_status) == 4, "enums are 32-bit");
static_assert(sizeof(glmrt_dtype) == 4, "enums are 32-bit");
