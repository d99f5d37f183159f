// GLMRT_EMULATOR: the runtime names of kernels/gpu.h and the CUDA/HIP kernel dialect, implemented on the CPU so the
// kernels' own sources run (and are tested) on a machine without a GPU. One fiber per GPU thread of a block, blocks
// one after another, __syncthreads and warp shuffles as barriers (emulator.cpp). Slow, and only a test tool: the
// library it builds reports the vendor "emulator" and a device named accordingly.
#pragma once

#include <algorithm>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define GLMRT_EMULATOR 1
#ifndef GLMRT_EMULATOR_WARP_SIZE
#  define GLMRT_EMULATOR_WARP_SIZE 32
#endif
#define GLMRT_WARP_SIZE GLMRT_EMULATOR_WARP_SIZE
#define GLMRT_VENDOR "emulator"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static // blocks run one at a time, so a static is the running block's shared memory

struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct uint2 { uint32_t x, y; };
struct uint4 { uint32_t x, y, z, w; };
struct float4 { float x, y, z, w; };

extern thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;

using std::max;
using std::min;

inline uint32_t __float_as_uint(float value) { uint32_t bits; memcpy(&bits, &value, 4); return bits; }
inline float __uint_as_float(uint32_t bits) { float value; memcpy(&value, &bits, 4); return value; }

namespace glmrt_emulator {
void syncthreads();
float shuffle_xor(float value, int lane_mask);
int shuffle_xor(int value, int lane_mask);
void* dynamic_shared();
void run(dim3 grid, dim3 block, size_t shared_bytes, void (*body)(void*), void* context);

// kernel(args...) for every thread of every block.
template <class Kernel>
struct Launcher {
    dim3 grid, block;
    size_t shared_bytes;
    Kernel kernel;
    template <class... Args>
    void operator()(Args... args) const
    {
        auto call = [&] { kernel(args...); };
        run(grid, block, shared_bytes, [](void* c) { (*static_cast<decltype(call)*>(c))(); }, &call);
    }
};
template <class Kernel>
Launcher<Kernel> launcher(dim3 grid, dim3 block, size_t shared_bytes, Kernel kernel) { return {grid, block, shared_bytes, kernel}; }
} // namespace glmrt_emulator

// Every fiber of a launch runs on the launching thread, so a plain read-modify-write is atomic here.
inline int atomicMax(int* address, int value) { const int old = *address; if (value > old) *address = value; return old; }
inline int atomicAdd(int* address, int value) { const int old = *address; *address = old + value; return old; }

inline void __syncthreads() { glmrt_emulator::syncthreads(); }
inline float gpu_shfl_xor(float value, int lane_mask) { return glmrt_emulator::shuffle_xor(value, lane_mask); }
inline int gpu_shfl_xor(int value, int lane_mask) { return glmrt_emulator::shuffle_xor(value, lane_mask); }

#define GLMRT_LAUNCH(grid, block, shared, stream, ...) glmrt_emulator::launcher((grid), (block), (shared), __VA_ARGS__)
#define GLMRT_DYNAMIC_SHARED(type, name) type* name = static_cast<type*>(glmrt_emulator::dynamic_shared())

// The runtime API, host-memory backed: one device, synchronous copies, streams and events as markers.
typedef int gpuError_t;
typedef struct glmrt_emulated_stream* gpuStream_t;
typedef struct glmrt_emulated_event* gpuEvent_t;
struct gpuDeviceProp_t {
    char name[256];
    size_t totalGlobalMem;
    int multiProcessorCount, warpSize, major, minor, pciBusID;
};
enum { gpuSuccess = 0, gpuErrorNoDevice = 100, gpuErrorMemoryAllocation = 2, gpuErrorInsufficientDriver = 35, gpuErrorInvalidValue = 1 };
enum gpuMemcpyKind { gpuMemcpyHostToDevice, gpuMemcpyDeviceToHost, gpuMemcpyDeviceToDevice };
enum gpuDeviceAttribute { gpuAttrClockRate, gpuAttrMemoryClockRate, gpuAttrMemoryBusWidth };

const char* gpuGetErrorString(gpuError_t error);
const char* gpuGetErrorName(gpuError_t error);
gpuError_t gpuGetLastError();
gpuError_t gpuGetDeviceCount(int* count);
gpuError_t gpuSetDevice(int index);
gpuError_t gpuGetDevice(int* index);
gpuError_t gpuGetDeviceProperties(gpuDeviceProp_t* prop, int index);
gpuError_t gpuDeviceGetAttribute(int* value, gpuDeviceAttribute attribute, int index);
gpuError_t gpuMemGetInfo(size_t* free_bytes, size_t* total_bytes);
gpuError_t gpuDeviceSynchronize();
gpuError_t gpuRuntimeGetVersion(int* version);
gpuError_t gpuDriverGetVersion(int* version);
gpuError_t gpuMalloc(void** pointer, size_t bytes);
gpuError_t gpuFree(void* pointer);
gpuError_t gpuHostAlloc(void** pointer, size_t bytes);
gpuError_t gpuHostFree(void* pointer);
gpuError_t gpuMemcpyAsync(void* destination, const void* source, size_t bytes, gpuMemcpyKind kind, gpuStream_t stream);
gpuError_t gpuMemsetAsync(void* destination, int value, size_t bytes, gpuStream_t stream);
gpuError_t gpuStreamCreateNonBlocking(gpuStream_t* stream);
gpuError_t gpuStreamDestroy(gpuStream_t stream);
gpuError_t gpuStreamSynchronize(gpuStream_t stream);
gpuError_t gpuEventCreate(gpuEvent_t* event);
gpuError_t gpuEventRecord(gpuEvent_t event, gpuStream_t stream);
gpuError_t gpuEventSynchronize(gpuEvent_t event);
gpuError_t gpuEventElapsedTime(float* milliseconds, gpuEvent_t start, gpuEvent_t end);
gpuError_t gpuEventDestroy(gpuEvent_t event);

#define GPU_ARCH_NAME(prop, buffer, size) snprintf((buffer), (size), "emulator-wave%d", (prop).warpSize)
