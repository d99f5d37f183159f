// Device discovery and selection, and what the runtime says about itself (for glm diagnose).
#include "internal.h"

#include <new>
#include <stdio.h>
#include <string.h>

#ifndef GLMRT_COMPILED_ARCHITECTURES
#  define GLMRT_COMPILED_ARCHITECTURES "unknown"
#endif

extern "C" glmrt_status glmrt_runtime_get_info(glmrt_runtime_info* info)
{
    GLMRT_REQUIRE(info != nullptr, "glmrt_runtime_get_info", "info is NULL");
    memset(info, 0, sizeof *info);
    snprintf(info->vendor, sizeof info->vendor, "%s", GLMRT_VENDOR);
    snprintf(info->compiled_architectures, sizeof info->compiled_architectures, "%s", GLMRT_COMPILED_ARCHITECTURES);
    int version = 0;
    if (gpuRuntimeGetVersion(&version) == gpuSuccess) info->runtime_version = version;
    version = 0;
    if (gpuDriverGetVersion(&version) == gpuSuccess) info->driver_version = version;
    int count = 0;
    gpuError_t error = gpuGetDeviceCount(&count);
    info->device_query_error = (int32_t)error;
    if (error == gpuSuccess) {
        info->device_count = count;
        snprintf(info->device_query_message, sizeof info->device_query_message, "%d device(s)", count);
    } else {
        snprintf(info->device_query_message, sizeof info->device_query_message, "%s: %s", gpuGetErrorName(error),
                 gpuGetErrorString(error));
    }
    (void)gpuGetLastError(); // a failed query must not poison the next launch check
    return GLMRT_OK;
}

extern "C" glmrt_status glmrt_device_count(int32_t* count)
{
    GLMRT_REQUIRE(count != nullptr, "glmrt_device_count", "count is NULL");
    int found = 0;
    gpuError_t error = gpuGetDeviceCount(&found);
    (void)gpuGetLastError();
    // No device (or no driver) means zero devices, which callers handle; only other errors are failures.
    if (error == gpuErrorNoDevice || error == gpuErrorInsufficientDriver) found = 0;
    else GLMRT_TRY(glmrt_check("glmrt_device_count", error));
    *count = found;
    return GLMRT_OK;
}

static glmrt_status require_device_index(const char* function, int32_t index)
{
    int32_t count = 0;
    GLMRT_TRY(glmrt_device_count(&count));
    if (index < 0 || index >= count)
        return glmrt_fail(function, GLMRT_ERROR_NO_DEVICE, "device %d requested; %d device(s) visible", (int)index, (int)count);
    return GLMRT_OK;
}

extern "C" glmrt_status glmrt_device_get_info(int32_t index, glmrt_device_info* info)
{
    const char* fn = "glmrt_device_get_info";
    GLMRT_REQUIRE(info != nullptr, fn, "info is NULL");
    GLMRT_TRY(require_device_index(fn, index));
    gpuDeviceProp_t prop;
    GLMRT_TRY(glmrt_check(fn, gpuGetDeviceProperties(&prop, index)));
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%s", prop.name);
    GPU_ARCH_NAME(prop, info->architecture, sizeof info->architecture);
    info->total_memory = (uint64_t)prop.totalGlobalMem;
    info->multiprocessor_count = prop.multiProcessorCount;
    info->warp_size = prop.warpSize;
    info->compute_major = prop.major;
    info->compute_minor = prop.minor;
    info->pci_bus_id = prop.pciBusID;
    int value = 0;
    if (gpuDeviceGetAttribute(&value, gpuAttrClockRate, index) == gpuSuccess) info->clock_khz = value;
    if (gpuDeviceGetAttribute(&value, gpuAttrMemoryClockRate, index) == gpuSuccess) info->memory_clock_khz = value;
    if (gpuDeviceGetAttribute(&value, gpuAttrMemoryBusWidth, index) == gpuSuccess) info->memory_bus_width = value;
    (void)gpuGetLastError();
    int previous = 0;
    GLMRT_TRY(glmrt_check(fn, gpuGetDevice(&previous)));
    GLMRT_TRY(glmrt_check(fn, gpuSetDevice(index)));
    size_t free_bytes = 0, total_bytes = 0;
    gpuError_t error = gpuMemGetInfo(&free_bytes, &total_bytes);
    (void)gpuSetDevice(previous);
    GLMRT_TRY(glmrt_check(fn, error));
    info->free_memory = (uint64_t)free_bytes;
    return GLMRT_OK;
}

extern "C" glmrt_device_params glmrt_device_default_params(void)
{
    glmrt_device_params params;
    params.index = 0;
    return params;
}

extern "C" glmrt_status glmrt_device_create(glmrt_device_params params, glmrt_device** device)
{
    const char* fn = "glmrt_device_create";
    GLMRT_REQUIRE(device != nullptr, fn, "device is NULL");
    *device = nullptr;
    GLMRT_TRY(require_device_index(fn, params.index));
    GLMRT_TRY(glmrt_check(fn, gpuSetDevice(params.index)));
    glmrt_device* created = new (std::nothrow) glmrt_device;
    if (created == nullptr) return glmrt_fail(fn, GLMRT_ERROR_OUT_OF_MEMORY, "host allocation failed");
    created->index = params.index;
    created->scaled_fp4 = false;
#if GLMRT_HIP && GLMRT_HAS_GFX950
    gpuDeviceProp_t prop;
    if (gpuGetDeviceProperties(&prop, params.index) == gpuSuccess) created->scaled_fp4 = strncmp(prop.gcnArchName, "gfx950", 6) == 0;
#endif
    *device = created;
    return GLMRT_OK;
}

extern "C" void glmrt_device_destroy(glmrt_device* device) { delete device; }

extern "C" glmrt_status glmrt_device_synchronize(glmrt_device* device)
{
    const char* fn = "glmrt_device_synchronize";
    GLMRT_REQUIRE(device != nullptr, fn, "device is NULL");
    GLMRT_TRY(glmrt_check(fn, gpuSetDevice(device->index)));
    return glmrt_check(fn, gpuDeviceSynchronize());
}
