// What the shim's objects are and how failures become a glmrt_status plus a per-thread message. Shared by the
// shim and the kernel launchers; not installed.
#pragma once

#include "../kernels/gpu.h"
#include "../include/glmrt.h"

struct glmrt_device {
    int32_t index;
    // The device has AMD's scaled-FP4 matrix instructions (gfx950) and the library holds code for it: the MXFP4 MoE
    // kernels take their gfx950 path.
    bool scaled_fp4;
};

struct glmrt_stream {
    glmrt_device* device;
    gpuStream_t stream;
};

struct glmrt_event {
    glmrt_device* device;
    gpuEvent_t event;
};

struct glmrt_buffer {
    glmrt_device* device;
    void* data;
    uint64_t size;
};

struct glmrt_host_buffer {
    glmrt_device* device;
    void* data;
    uint64_t size;
};

struct glmrt_weights {
    glmrt_device* device;
    void* data;
    uint64_t capacity;
    uint64_t used;
};

// Records "function: message" as the calling thread's last error and returns status.
glmrt_status glmrt_fail(const char* function, glmrt_status status, const char* format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

// GLMRT_OK for gpuSuccess; otherwise the matching status with the runtime's name and text recorded.
glmrt_status glmrt_check(const char* function, gpuError_t error);

// The status of the kernel launch just made (gpuGetLastError), reported as GLMRT_ERROR_LAUNCH.
glmrt_status glmrt_check_launch(const char* function);

// Makes the stream's device current for this thread (launchers and copies run on any caller thread).
glmrt_status glmrt_bind(const char* function, glmrt_stream* stream);

#define GLMRT_REQUIRE(condition, function, ...)                                                     \
    do {                                                                                             \
        if (!(condition)) return glmrt_fail((function), GLMRT_ERROR_INVALID_ARGUMENT, __VA_ARGS__); \
    } while (0)

#define GLMRT_TRY(expression)                        \
    do {                                             \
        glmrt_status glmrt_try_status_ = (expression); \
        if (glmrt_try_status_ != GLMRT_OK) return glmrt_try_status_; \
    } while (0)
