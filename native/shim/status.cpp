// Status messages, the per-thread last-error text, and the translation of runtime errors.
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

static thread_local char last_error[1024];

extern "C" const char* glmrt_status_message(glmrt_status status)
{
    switch (status) {
    case GLMRT_OK: return "success";
    case GLMRT_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case GLMRT_ERROR_NO_DEVICE: return "no such GPU device";
    case GLMRT_ERROR_OUT_OF_MEMORY: return "out of memory";
    case GLMRT_ERROR_RUNTIME: return "GPU runtime error";
    case GLMRT_ERROR_LAUNCH: return "kernel launch failed";
    case GLMRT_ERROR_UNSUPPORTED: return "unsupported by this build";
    case GLMRT_ERROR_DRIVER: return "GPU driver missing or too old";
    }
    return "unknown status";
}

extern "C" const char* glmrt_last_error(void) { return last_error; }

extern "C" int32_t glmrt_abi_version(void) { return GLMRT_ABI_VERSION; }

extern "C" uint32_t glmrt_version(void)
{
    return (GLMRT_VERSION_MAJOR << 16) | (GLMRT_VERSION_MINOR << 8) | GLMRT_VERSION_PATCH;
}

glmrt_status glmrt_fail(const char* function, glmrt_status status, const char* format, ...)
{
    int written = snprintf(last_error, sizeof last_error, "%s: ", function);
    if (written < 0 || written >= (int)sizeof last_error) written = 0;
    va_list args;
    va_start(args, format);
    vsnprintf(last_error + written, sizeof last_error - written, format, args);
    va_end(args);
    return status;
}

glmrt_status glmrt_check(const char* function, gpuError_t error)
{
    if (error == gpuSuccess) return GLMRT_OK;
    glmrt_status status = GLMRT_ERROR_RUNTIME;
    if (error == gpuErrorNoDevice) status = GLMRT_ERROR_NO_DEVICE;
    else if (error == gpuErrorMemoryAllocation) status = GLMRT_ERROR_OUT_OF_MEMORY;
    else if (error == gpuErrorInsufficientDriver) status = GLMRT_ERROR_DRIVER;
    return glmrt_fail(function, status, "%s (%s %d: %s)", glmrt_status_message(status), gpuGetErrorName(error), (int)error,
                      gpuGetErrorString(error));
}

glmrt_status glmrt_check_launch(const char* function)
{
    gpuError_t error = gpuGetLastError();
    if (error == gpuSuccess) return GLMRT_OK;
    return glmrt_fail(function, GLMRT_ERROR_LAUNCH, "kernel launch failed (%s %d: %s)", gpuGetErrorName(error), (int)error,
                      gpuGetErrorString(error));
}

glmrt_status glmrt_bind(const char* function, glmrt_stream* stream)
{
    GLMRT_REQUIRE(stream != nullptr, function, "stream is NULL");
    return glmrt_check(function, gpuSetDevice(stream->device->index));
}
