// The emulation behind gpu_emulator.h (see there). Each GPU thread of a block is a ucontext fiber on the launching
// host thread; a round-robin scheduler runs every fiber until it reaches a barrier (__syncthreads, or the warp
// exchange inside a shuffle) or returns, and releases a barrier once every fiber still running has arrived. Blocks
// run one after another; launches are serialized. Fibers switch in well under a microsecond, which keeps a forward
// pass of the tiny test models in seconds: a fiber is entered once through swapcontext, and every later switch is an
// _setjmp/_longjmp pair, which (unlike swapcontext) makes no signal-mask system call.
#undef _FORTIFY_SOURCE // __longjmp_chk rejects jumps between fiber stacks
#include "../kernels/gpu.h"

#include <chrono>
#include <setjmp.h>
#include <mutex>
#include <stdlib.h>
#include <ucontext.h>
#include <unistd.h>
#include <vector>

thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace glmrt_emulator {
namespace {
constexpr size_t kStackBytes = 64 << 10;
constexpr int kMaxThreads = 1024;

// A barrier among the fibers that have not returned.
struct Gate {
    int live = 0, arrived = 0;
    long generation = 0;
};

struct Fiber {
    ucontext_t context;
    jmp_buf resume;
    bool started = false;
    dim3 index;
    int lane = 0, warp = 0;
    bool done = false;
    unsigned exchanges = 0;
    const Gate* waiting = nullptr;
    long generation = 0;
};

struct Launch {
    std::vector<unsigned char> dynamic;
    Gate block;
    std::vector<Gate> warps;
    std::vector<float> floats; // two warp-exchange slots per thread (see exchange)
    std::vector<int> ints;
    std::vector<Fiber> fibers;
    ucontext_t scheduler;
    jmp_buf scheduler_resume;
    void (*body)(void*) = nullptr;
    void* context = nullptr;
    int current = 0;
};

std::mutex launch_mutex;
Launch* active;
char* stacks;

void release_if_complete(Gate& gate)
{
    if (gate.arrived > 0 && gate.arrived >= gate.live) {
        gate.arrived = 0;
        gate.generation++;
    }
}

void arrive(Gate& gate)
{
    Fiber& fiber = active->fibers[active->current];
    const long generation = gate.generation;
    gate.arrived++;
    release_if_complete(gate);
    if (gate.generation != generation) return; // this fiber completed the barrier
    fiber.waiting = &gate;
    fiber.generation = generation;
    if (_setjmp(fiber.resume) == 0) _longjmp(active->scheduler_resume, 1);
    fiber.waiting = nullptr;
}

// A fiber runs the kernel once per block of the launch: after each block it parks, and the scheduler resumes it for
// the next one, so a fiber is created once per launch rather than once per block.
void fiber_entry()
{
    for (;;) {
        Fiber& fiber = active->fibers[active->current];
        active->body(active->context);
        fiber.done = true;
        // A returned thread no longer takes part in its block's or warp's barriers.
        active->block.live--;
        release_if_complete(active->block);
        Gate& warp = active->warps[fiber.warp];
        warp.live--;
        release_if_complete(warp);
        if (_setjmp(fiber.resume) == 0) _longjmp(active->scheduler_resume, 1);
    }
}
} // namespace

void syncthreads() { arrive(active->block); }

// Lanes write, meet at the warp's barrier, then read their partner's slot. Slots alternate between two buffers by the
// fiber's exchange count, so no second barrier is needed: a lane can only write a buffer again after the barrier
// that every lane reaches after reading it.
template <class T>
static T exchange(T value, int lane_mask, std::vector<T>& slots)
{
    Fiber& fiber = active->fibers[active->current];
    const size_t half = slots.size() / 2;
    T* buffer = slots.data() + (fiber.exchanges++ & 1) * half + (size_t)fiber.warp * GLMRT_WARP_SIZE;
    buffer[fiber.lane] = value;
    arrive(active->warps[fiber.warp]);
    return buffer[fiber.lane ^ lane_mask];
}

float shuffle_xor(float value, int lane_mask) { return exchange(value, lane_mask, active->floats); }
int shuffle_xor(int value, int lane_mask) { return exchange(value, lane_mask, active->ints); }
void* dynamic_shared() { return active->dynamic.data(); }

void run(dim3 grid, dim3 block, size_t shared_bytes, void (*body)(void*), void* context)
{
    std::lock_guard<std::mutex> serialized(launch_mutex);
    const int threads = (int)(block.x * block.y * block.z);
    if (threads < 1 || threads > kMaxThreads) {
        fprintf(stderr, "glmrt emulator: a block of %d threads is outside [1, %d]\n", threads, kMaxThreads);
        abort();
    }
    if (stacks == nullptr) stacks = static_cast<char*>(malloc(kStackBytes * kMaxThreads)); // committed as touched
    const int warps = (threads + GLMRT_WARP_SIZE - 1) / GLMRT_WARP_SIZE;
    Launch launch;
    launch.dynamic.assign(shared_bytes + 16, 0);
    launch.warps.resize(warps);
    launch.floats.resize((size_t)2 * warps * GLMRT_WARP_SIZE);
    launch.ints.resize((size_t)2 * warps * GLMRT_WARP_SIZE);
    launch.fibers.resize(threads);
    launch.body = body;
    launch.context = context;
    active = &launch;
    blockDim = block;
    gridDim = grid;
    const long blocks = (long)grid.x * grid.y * grid.z;
    for (long b = 0; b < blocks; b++) {
        blockIdx = dim3(b % grid.x, (b / grid.x) % grid.y, b / ((long)grid.x * grid.y));
        launch.block = Gate{threads, 0, 0};
        for (int w = 0; w < warps; w++) launch.warps[w] = Gate{std::min(GLMRT_WARP_SIZE, threads - w * GLMRT_WARP_SIZE), 0, 0};
        for (int t = 0; t < threads; t++) {
            Fiber& fiber = launch.fibers[t];
            fiber.done = false;
            fiber.waiting = nullptr;
            fiber.exchanges = 0;
            if (b > 0) continue; // parked at the end of the previous block; resumed below
            fiber.index = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
            fiber.lane = t % GLMRT_WARP_SIZE;
            fiber.warp = t / GLMRT_WARP_SIZE;
            fiber.started = false;
            getcontext(&fiber.context);
            fiber.context.uc_stack.ss_sp = stacks + (size_t)t * kStackBytes;
            fiber.context.uc_stack.ss_size = kStackBytes;
            fiber.context.uc_link = nullptr; // fiber_entry never returns
            makecontext(&fiber.context, fiber_entry, 0);
        }
        for (int remaining = threads; remaining > 0;) {
            bool progressed = false;
            remaining = 0;
            for (int t = 0; t < threads; t++) {
                Fiber& fiber = launch.fibers[t];
                if (fiber.done) continue;
                if (fiber.waiting == nullptr || fiber.waiting->generation != fiber.generation) {
                    launch.current = t;
                    threadIdx = fiber.index;
                    if (_setjmp(launch.scheduler_resume) == 0) {
                        if (fiber.started) _longjmp(fiber.resume, 1);
                        fiber.started = true;
                        swapcontext(&launch.scheduler, &fiber.context);
                    }
                    progressed = true;
                }
                if (!fiber.done) remaining++;
            }
            if (!progressed && remaining > 0) {
                fprintf(stderr, "glmrt emulator: deadlock in block %ld: %d threads wait on a barrier that cannot complete\n", b, remaining);
                abort();
            }
        }
    }
    active = nullptr;
}
} // namespace glmrt_emulator

struct glmrt_emulated_stream { int unused; };
struct glmrt_emulated_event { std::chrono::steady_clock::time_point at; };

const char* gpuGetErrorString(gpuError_t error)
{
    switch (error) {
    case gpuSuccess: return "no error";
    case gpuErrorMemoryAllocation: return "out of host memory (emulator)";
    case gpuErrorInvalidValue: return "invalid value";
    default: return "emulator error";
    }
}
const char* gpuGetErrorName(gpuError_t error) { return error == gpuSuccess ? "emulatorSuccess" : "emulatorError"; }
gpuError_t gpuGetLastError() { return gpuSuccess; }
gpuError_t gpuGetDeviceCount(int* count) { *count = 1; return gpuSuccess; }
gpuError_t gpuSetDevice(int index) { return index == 0 ? gpuSuccess : gpuErrorInvalidValue; }
gpuError_t gpuGetDevice(int* index) { *index = 0; return gpuSuccess; }

gpuError_t gpuMemGetInfo(size_t* free_bytes, size_t* total_bytes)
{
    const size_t total = (size_t)sysconf(_SC_PHYS_PAGES) * (size_t)sysconf(_SC_PAGE_SIZE);
    *free_bytes = total;
    *total_bytes = total;
    return gpuSuccess;
}

gpuError_t gpuGetDeviceProperties(gpuDeviceProp_t* prop, int index)
{
    if (index != 0) return gpuErrorInvalidValue;
    memset(prop, 0, sizeof *prop);
    snprintf(prop->name, sizeof prop->name, "glmrt CPU emulator (not a GPU)");
    size_t free_bytes;
    gpuMemGetInfo(&free_bytes, &prop->totalGlobalMem);
    prop->multiProcessorCount = 1;
    prop->warpSize = GLMRT_WARP_SIZE;
    return gpuSuccess;
}

gpuError_t gpuDeviceGetAttribute(int* value, gpuDeviceAttribute, int) { *value = 0; return gpuSuccess; }
gpuError_t gpuDeviceSynchronize() { return gpuSuccess; }
gpuError_t gpuRuntimeGetVersion(int* version) { *version = 1; return gpuSuccess; }
gpuError_t gpuDriverGetVersion(int* version) { *version = 1; return gpuSuccess; }

gpuError_t gpuMalloc(void** pointer, size_t bytes)
{
    *pointer = aligned_alloc(256, (bytes + 255) / 256 * 256);
    return *pointer == nullptr ? gpuErrorMemoryAllocation : gpuSuccess;
}
gpuError_t gpuFree(void* pointer) { free(pointer); return gpuSuccess; }
gpuError_t gpuHostAlloc(void** pointer, size_t bytes) { return gpuMalloc(pointer, bytes); }
gpuError_t gpuHostFree(void* pointer) { return gpuFree(pointer); }

gpuError_t gpuMemcpyAsync(void* destination, const void* source, size_t bytes, gpuMemcpyKind, gpuStream_t)
{
    memcpy(destination, source, bytes);
    return gpuSuccess;
}
gpuError_t gpuMemsetAsync(void* destination, int value, size_t bytes, gpuStream_t) { memset(destination, value, bytes); return gpuSuccess; }
gpuError_t gpuStreamCreateNonBlocking(gpuStream_t* stream) { *stream = new glmrt_emulated_stream(); return gpuSuccess; }
gpuError_t gpuStreamDestroy(gpuStream_t stream) { delete stream; return gpuSuccess; }
gpuError_t gpuStreamSynchronize(gpuStream_t) { return gpuSuccess; }
gpuError_t gpuEventCreate(gpuEvent_t* event) { *event = new glmrt_emulated_event(); return gpuSuccess; }
gpuError_t gpuEventRecord(gpuEvent_t event, gpuStream_t) { event->at = std::chrono::steady_clock::now(); return gpuSuccess; }
gpuError_t gpuEventSynchronize(gpuEvent_t) { return gpuSuccess; }
gpuError_t gpuEventElapsedTime(float* milliseconds, gpuEvent_t start, gpuEvent_t end)
{
    *milliseconds = std::chrono::duration<float, std::milli>(end->at - start->at).count();
    return gpuSuccess;
}
gpuError_t gpuEventDestroy(gpuEvent_t event) { delete event; return gpuSuccess; }
