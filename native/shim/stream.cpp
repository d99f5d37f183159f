// Streams and events: one non-blocking stream per engine step queue; events for ordering and timing.
#include "internal.h"

#include <new>

extern "C" glmrt_status glmrt_stream_create(glmrt_device* device, glmrt_stream** stream)
{
    const char* fn = "glmrt_stream_create";
    GLMRT_REQUIRE(device != nullptr && stream != nullptr, fn, "device or stream is NULL");
    *stream = nullptr;
    GLMRT_TRY(glmrt_check(fn, gpuSetDevice(device->index)));
    gpuStream_t handle;
    GLMRT_TRY(glmrt_check(fn, gpuStreamCreateNonBlocking(&handle)));
    glmrt_stream* created = new (std::nothrow) glmrt_stream;
    if (created == nullptr) {
        (void)gpuStreamDestroy(handle);
        return glmrt_fail(fn, GLMRT_ERROR_OUT_OF_MEMORY, "host allocation failed");
    }
    created->device = device;
    created->stream = handle;
    *stream = created;
    return GLMRT_OK;
}

extern "C" void glmrt_stream_destroy(glmrt_stream* stream)
{
    if (stream == nullptr) return;
    (void)gpuSetDevice(stream->device->index);
    (void)gpuStreamDestroy(stream->stream);
    delete stream;
}

extern "C" glmrt_status glmrt_stream_synchronize(glmrt_stream* stream)
{
    const char* fn = "glmrt_stream_synchronize";
    GLMRT_TRY(glmrt_bind(fn, stream));
    return glmrt_check(fn, gpuStreamSynchronize(stream->stream));
}

extern "C" glmrt_status glmrt_event_create(glmrt_device* device, glmrt_event** event)
{
    const char* fn = "glmrt_event_create";
    GLMRT_REQUIRE(device != nullptr && event != nullptr, fn, "device or event is NULL");
    *event = nullptr;
    GLMRT_TRY(glmrt_check(fn, gpuSetDevice(device->index)));
    gpuEvent_t handle;
    GLMRT_TRY(glmrt_check(fn, gpuEventCreate(&handle)));
    glmrt_event* created = new (std::nothrow) glmrt_event;
    if (created == nullptr) {
        (void)gpuEventDestroy(handle);
        return glmrt_fail(fn, GLMRT_ERROR_OUT_OF_MEMORY, "host allocation failed");
    }
    created->device = device;
    created->event = handle;
    *event = created;
    return GLMRT_OK;
}

extern "C" void glmrt_event_destroy(glmrt_event* event)
{
    if (event == nullptr) return;
    (void)gpuSetDevice(event->device->index);
    (void)gpuEventDestroy(event->event);
    delete event;
}

extern "C" glmrt_status glmrt_event_record(glmrt_event* event, glmrt_stream* stream)
{
    const char* fn = "glmrt_event_record";
    GLMRT_REQUIRE(event != nullptr, fn, "event is NULL");
    GLMRT_TRY(glmrt_bind(fn, stream));
    return glmrt_check(fn, gpuEventRecord(event->event, stream->stream));
}

extern "C" glmrt_status glmrt_event_synchronize(glmrt_event* event)
{
    const char* fn = "glmrt_event_synchronize";
    GLMRT_REQUIRE(event != nullptr, fn, "event is NULL");
    return glmrt_check(fn, gpuEventSynchronize(event->event));
}

extern "C" glmrt_status glmrt_event_elapsed_ms(glmrt_event* start, glmrt_event* end, float* milliseconds)
{
    const char* fn = "glmrt_event_elapsed_ms";
    GLMRT_REQUIRE(start != nullptr && end != nullptr && milliseconds != nullptr, fn, "start, end or milliseconds is NULL");
    return glmrt_check(fn, gpuEventElapsedTime(milliseconds, start->event, end->event));
}
