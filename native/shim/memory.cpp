// Device buffers, pinned host staging, asynchronous copies with range checks, and the weights arena.
#include "internal.h"

#include <new>

static bool in_range(uint64_t offset, uint64_t bytes, uint64_t size)
{
    return offset <= size && bytes <= size - offset;
}

extern "C" glmrt_status glmrt_buffer_create(glmrt_device* device, uint64_t bytes, glmrt_buffer** buffer)
{
    const char* fn = "glmrt_buffer_create";
    GLMRT_REQUIRE(device != nullptr && buffer != nullptr, fn, "device or buffer is NULL");
    GLMRT_REQUIRE(bytes > 0, fn, "a buffer needs at least one byte");
    *buffer = nullptr;
    GLMRT_TRY(glmrt_check(fn, gpuSetDevice(device->index)));
    void* data = nullptr;
    gpuError_t error = gpuMalloc(&data, (size_t)bytes);
    if (error != gpuSuccess) {
        glmrt_status status = glmrt_check(fn, error);
        return glmrt_fail(fn, status, "%llu bytes of device memory: %s", (unsigned long long)bytes, gpuGetErrorString(error));
    }
    glmrt_buffer* created = new (std::nothrow) glmrt_buffer;
    if (created == nullptr) {
        (void)gpuFree(data);
        return glmrt_fail(fn, GLMRT_ERROR_OUT_OF_MEMORY, "host allocation failed");
    }
    created->device = device;
    created->data = data;
    created->size = bytes;
    *buffer = created;
    return GLMRT_OK;
}

extern "C" void glmrt_buffer_destroy(glmrt_buffer* buffer)
{
    if (buffer == nullptr) return;
    (void)gpuSetDevice(buffer->device->index);
    (void)gpuFree(buffer->data);
    delete buffer;
}

extern "C" void* glmrt_buffer_data(const glmrt_buffer* buffer) { return buffer == nullptr ? nullptr : buffer->data; }

extern "C" uint64_t glmrt_buffer_size(const glmrt_buffer* buffer) { return buffer == nullptr ? 0 : buffer->size; }

extern "C" glmrt_status glmrt_host_buffer_create(glmrt_device* device, uint64_t bytes, glmrt_host_buffer** buffer)
{
    const char* fn = "glmrt_host_buffer_create";
    GLMRT_REQUIRE(device != nullptr && buffer != nullptr, fn, "device or buffer is NULL");
    GLMRT_REQUIRE(bytes > 0, fn, "a buffer needs at least one byte");
    *buffer = nullptr;
    GLMRT_TRY(glmrt_check(fn, gpuSetDevice(device->index)));
    void* data = nullptr;
    gpuError_t error = gpuHostAlloc(&data, (size_t)bytes);
    if (error != gpuSuccess) {
        glmrt_check(fn, error);
        return glmrt_fail(fn, GLMRT_ERROR_OUT_OF_MEMORY, "%llu bytes of pinned host memory: %s", (unsigned long long)bytes,
                          gpuGetErrorString(error));
    }
    glmrt_host_buffer* created = new (std::nothrow) glmrt_host_buffer;
    if (created == nullptr) {
        (void)gpuHostFree(data);
        return glmrt_fail(fn, GLMRT_ERROR_OUT_OF_MEMORY, "host allocation failed");
    }
    created->device = device;
    created->data = data;
    created->size = bytes;
    *buffer = created;
    return GLMRT_OK;
}

extern "C" void glmrt_host_buffer_destroy(glmrt_host_buffer* buffer)
{
    if (buffer == nullptr) return;
    (void)gpuSetDevice(buffer->device->index);
    (void)gpuHostFree(buffer->data);
    delete buffer;
}

extern "C" void* glmrt_host_buffer_data(const glmrt_host_buffer* buffer) { return buffer == nullptr ? nullptr : buffer->data; }

extern "C" uint64_t glmrt_host_buffer_size(const glmrt_host_buffer* buffer) { return buffer == nullptr ? 0 : buffer->size; }

extern "C" glmrt_status glmrt_copy_to_device(glmrt_stream* stream, glmrt_buffer* destination, uint64_t destination_offset,
                                             const void* source, uint64_t bytes)
{
    const char* fn = "glmrt_copy_to_device";
    GLMRT_REQUIRE(destination != nullptr && (source != nullptr || bytes == 0), fn, "destination or source is NULL");
    GLMRT_REQUIRE(in_range(destination_offset, bytes, destination->size), fn,
                  "bytes [%llu, +%llu) lie outside a buffer of %llu", (unsigned long long)destination_offset,
                  (unsigned long long)bytes, (unsigned long long)destination->size);
    if (bytes == 0) return GLMRT_OK;
    GLMRT_TRY(glmrt_bind(fn, stream));
    return glmrt_check(fn, gpuMemcpyAsync((char*)destination->data + destination_offset, source, (size_t)bytes,
                                          gpuMemcpyHostToDevice, stream->stream));
}

extern "C" glmrt_status glmrt_copy_to_host(glmrt_stream* stream, void* destination, const glmrt_buffer* source,
                                           uint64_t source_offset, uint64_t bytes)
{
    const char* fn = "glmrt_copy_to_host";
    GLMRT_REQUIRE(source != nullptr && (destination != nullptr || bytes == 0), fn, "destination or source is NULL");
    GLMRT_REQUIRE(in_range(source_offset, bytes, source->size), fn, "bytes [%llu, +%llu) lie outside a buffer of %llu",
                  (unsigned long long)source_offset, (unsigned long long)bytes, (unsigned long long)source->size);
    if (bytes == 0) return GLMRT_OK;
    GLMRT_TRY(glmrt_bind(fn, stream));
    return glmrt_check(fn, gpuMemcpyAsync(destination, (const char*)source->data + source_offset, (size_t)bytes,
                                          gpuMemcpyDeviceToHost, stream->stream));
}

extern "C" glmrt_status glmrt_copy_on_device(glmrt_stream* stream, glmrt_buffer* destination, uint64_t destination_offset,
                                             const glmrt_buffer* source, uint64_t source_offset, uint64_t bytes)
{
    const char* fn = "glmrt_copy_on_device";
    GLMRT_REQUIRE(destination != nullptr && source != nullptr, fn, "destination or source is NULL");
    GLMRT_REQUIRE(in_range(destination_offset, bytes, destination->size) && in_range(source_offset, bytes, source->size), fn,
                  "a range of %llu bytes lies outside its buffer", (unsigned long long)bytes);
    if (bytes == 0) return GLMRT_OK;
    GLMRT_TRY(glmrt_bind(fn, stream));
    return glmrt_check(fn, gpuMemcpyAsync((char*)destination->data + destination_offset,
                                          (const char*)source->data + source_offset, (size_t)bytes, gpuMemcpyDeviceToDevice,
                                          stream->stream));
}

extern "C" glmrt_status glmrt_buffer_fill(glmrt_stream* stream, glmrt_buffer* buffer, uint64_t offset, uint64_t bytes, uint8_t value)
{
    const char* fn = "glmrt_buffer_fill";
    GLMRT_REQUIRE(buffer != nullptr, fn, "buffer is NULL");
    GLMRT_REQUIRE(in_range(offset, bytes, buffer->size), fn, "bytes [%llu, +%llu) lie outside a buffer of %llu",
                  (unsigned long long)offset, (unsigned long long)bytes, (unsigned long long)buffer->size);
    if (bytes == 0) return GLMRT_OK;
    GLMRT_TRY(glmrt_bind(fn, stream));
    return glmrt_check(fn, gpuMemsetAsync((char*)buffer->data + offset, value, (size_t)bytes, stream->stream));
}

extern "C" glmrt_status glmrt_weights_create(glmrt_device* device, uint64_t capacity, glmrt_weights** weights)
{
    const char* fn = "glmrt_weights_create";
    GLMRT_REQUIRE(device != nullptr && weights != nullptr, fn, "device or weights is NULL");
    GLMRT_REQUIRE(capacity > 0, fn, "capacity must be positive");
    *weights = nullptr;
    GLMRT_TRY(glmrt_check(fn, gpuSetDevice(device->index)));
    void* data = nullptr;
    gpuError_t error = gpuMalloc(&data, (size_t)capacity);
    if (error != gpuSuccess) {
        glmrt_status status = glmrt_check(fn, error);
        return glmrt_fail(fn, status, "a weights arena of %llu bytes: %s", (unsigned long long)capacity, gpuGetErrorString(error));
    }
    glmrt_weights* created = new (std::nothrow) glmrt_weights;
    if (created == nullptr) {
        (void)gpuFree(data);
        return glmrt_fail(fn, GLMRT_ERROR_OUT_OF_MEMORY, "host allocation failed");
    }
    created->device = device;
    created->data = data;
    created->capacity = capacity;
    created->used = 0;
    *weights = created;
    return GLMRT_OK;
}

extern "C" void glmrt_weights_destroy(glmrt_weights* weights)
{
    if (weights == nullptr) return;
    (void)gpuSetDevice(weights->device->index);
    (void)gpuFree(weights->data);
    delete weights;
}

extern "C" glmrt_status glmrt_weights_upload(glmrt_weights* weights, glmrt_stream* stream, const void* data, uint64_t bytes,
                                             uint64_t* offset)
{
    const char* fn = "glmrt_weights_upload";
    GLMRT_REQUIRE(weights != nullptr && offset != nullptr && (data != nullptr || bytes == 0), fn, "weights, data or offset is NULL");
    // 256-byte alignment keeps every tensor aligned for the kernels' 16-byte vector loads.
    uint64_t start = (weights->used + 255) & ~(uint64_t)255;
    if (start > weights->capacity || bytes > weights->capacity - start)
        return glmrt_fail(fn, GLMRT_ERROR_OUT_OF_MEMORY, "%llu bytes do not fit: %llu of %llu used", (unsigned long long)bytes,
                          (unsigned long long)weights->used, (unsigned long long)weights->capacity);
    if (bytes > 0) {
        GLMRT_TRY(glmrt_bind(fn, stream));
        GLMRT_TRY(glmrt_check(fn, gpuMemcpyAsync((char*)weights->data + start, data, (size_t)bytes, gpuMemcpyHostToDevice,
                                                 stream->stream)));
    }
    weights->used = start + bytes;
    *offset = start;
    return GLMRT_OK;
}

extern "C" const void* glmrt_weights_data(const glmrt_weights* weights) { return weights == nullptr ? nullptr : weights->data; }

extern "C" uint64_t glmrt_weights_used(const glmrt_weights* weights) { return weights == nullptr ? 0 : weights->used; }

extern "C" uint64_t glmrt_weights_capacity(const glmrt_weights* weights) { return weights == nullptr ? 0 : weights->capacity; }
