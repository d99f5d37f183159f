// The one file that includes a vendor runtime header. Every shim and kernel source includes this instead of
// hip_runtime.h or cuda_runtime.h, so the same sources build with clang/hipcc for AMD and with nvcc for NVIDIA.
// It maps the runtime API to gpu* names, defines the warp (wavefront) size, the warp shuffle, the kernel launch and
// dynamic shared memory. A third build, GLMRT_EMULATOR, runs the same kernels on CPU threads (../emulator/) so the
// kernels' logic is tested where no GPU exists; it is a test tool, never a backend.
#pragma once

#if defined(GLMRT_EMULATOR)
#  include "../emulator/gpu_emulator.h"
#elif defined(__HIP__) || defined(__HIPCC__) || defined(__HIP_PLATFORM_AMD__)
#  define GLMRT_HIP 1
#  include <hip/hip_runtime.h>
#elif defined(__CUDACC__)
#  define GLMRT_CUDA 1
#  include <cuda_runtime.h>
#else
#  error "glmrt kernels build as HIP (clang -x hip, hipcc), CUDA (nvcc) or with GLMRT_EMULATOR; none is active."
#endif

#include <stdint.h>

#if GLMRT_EMULATOR
// gpu_emulator.h defines the runtime names, GLMRT_WARP_SIZE and the shuffle.
#elif GLMRT_HIP
// CDNA (gfx90a, gfx94x, gfx950) runs 64-wide wavefronts; RDNA's wave32 is not a target of this library.
#  define GLMRT_WARP_SIZE 64
#  define GLMRT_VENDOR "hip"
typedef hipError_t gpuError_t;
typedef hipStream_t gpuStream_t;
typedef hipEvent_t gpuEvent_t;
typedef hipDeviceProp_t gpuDeviceProp_t;
#  define gpuSuccess hipSuccess
#  define gpuErrorNoDevice hipErrorNoDevice
#  define gpuErrorMemoryAllocation hipErrorOutOfMemory
#  define gpuErrorInsufficientDriver hipErrorInsufficientDriver
#  define gpuGetErrorString hipGetErrorString
#  define gpuGetErrorName hipGetErrorName
#  define gpuGetLastError hipGetLastError
#  define gpuGetDeviceCount hipGetDeviceCount
#  define gpuSetDevice hipSetDevice
#  define gpuGetDevice hipGetDevice
#  define gpuGetDeviceProperties hipGetDeviceProperties
#  define gpuMemGetInfo hipMemGetInfo
#  define gpuDeviceSynchronize hipDeviceSynchronize
#  define gpuDeviceGetAttribute hipDeviceGetAttribute
#  define gpuAttrClockRate hipDeviceAttributeClockRate
#  define gpuAttrMemoryClockRate hipDeviceAttributeMemoryClockRate
#  define gpuAttrMemoryBusWidth hipDeviceAttributeMemoryBusWidth
#  define gpuRuntimeGetVersion hipRuntimeGetVersion
#  define gpuDriverGetVersion hipDriverGetVersion
#  define gpuMalloc hipMalloc
#  define gpuFree hipFree
#  define gpuHostAlloc(ptr, bytes) hipHostMalloc((ptr), (bytes), hipHostMallocDefault)
#  define gpuHostFree hipHostFree
#  define gpuMemcpyAsync hipMemcpyAsync
#  define gpuMemsetAsync hipMemsetAsync
#  define gpuMemcpyHostToDevice hipMemcpyHostToDevice
#  define gpuMemcpyDeviceToHost hipMemcpyDeviceToHost
#  define gpuMemcpyDeviceToDevice hipMemcpyDeviceToDevice
#  define gpuStreamCreateNonBlocking(s) hipStreamCreateWithFlags((s), hipStreamNonBlocking)
#  define gpuStreamDestroy hipStreamDestroy
#  define gpuStreamSynchronize hipStreamSynchronize
#  define gpuEventCreate hipEventCreate
#  define gpuEventRecord hipEventRecord
#  define gpuEventSynchronize hipEventSynchronize
#  define gpuEventElapsedTime hipEventElapsedTime
#  define gpuEventDestroy hipEventDestroy
// The architecture as the compiler names it ("gfx942:sramecc+:xnack-").
#  define GPU_ARCH_NAME(prop, buffer, size) snprintf((buffer), (size), "%s", (prop).gcnArchName)
#else
#  define GLMRT_WARP_SIZE 32
#  define GLMRT_VENDOR "cuda"
typedef cudaError_t gpuError_t;
typedef cudaStream_t gpuStream_t;
typedef cudaEvent_t gpuEvent_t;
typedef cudaDeviceProp gpuDeviceProp_t;
#  define gpuSuccess cudaSuccess
#  define gpuErrorNoDevice cudaErrorNoDevice
#  define gpuErrorMemoryAllocation cudaErrorMemoryAllocation
#  define gpuErrorInsufficientDriver cudaErrorInsufficientDriver
#  define gpuGetErrorString cudaGetErrorString
#  define gpuGetErrorName cudaGetErrorName
#  define gpuGetLastError cudaGetLastError
#  define gpuGetDeviceCount cudaGetDeviceCount
#  define gpuSetDevice cudaSetDevice
#  define gpuGetDevice cudaGetDevice
#  define gpuGetDeviceProperties cudaGetDeviceProperties
#  define gpuMemGetInfo cudaMemGetInfo
#  define gpuDeviceSynchronize cudaDeviceSynchronize
// Clock rates left cudaDeviceProp in CUDA 13; the attribute queries work on every version.
#  define gpuDeviceGetAttribute cudaDeviceGetAttribute
#  define gpuAttrClockRate cudaDevAttrClockRate
#  define gpuAttrMemoryClockRate cudaDevAttrMemoryClockRate
#  define gpuAttrMemoryBusWidth cudaDevAttrGlobalMemoryBusWidth
#  define gpuRuntimeGetVersion cudaRuntimeGetVersion
#  define gpuDriverGetVersion cudaDriverGetVersion
#  define gpuMalloc cudaMalloc
#  define gpuFree cudaFree
#  define gpuHostAlloc(ptr, bytes) cudaMallocHost((ptr), (bytes))
#  define gpuHostFree cudaFreeHost
#  define gpuMemcpyAsync cudaMemcpyAsync
#  define gpuMemsetAsync cudaMemsetAsync
#  define gpuMemcpyHostToDevice cudaMemcpyHostToDevice
#  define gpuMemcpyDeviceToHost cudaMemcpyDeviceToHost
#  define gpuMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#  define gpuStreamCreateNonBlocking(s) cudaStreamCreateWithFlags((s), cudaStreamNonBlocking)
#  define gpuStreamDestroy cudaStreamDestroy
#  define gpuStreamSynchronize cudaStreamSynchronize
#  define gpuEventCreate cudaEventCreate
#  define gpuEventRecord cudaEventRecord
#  define gpuEventSynchronize cudaEventSynchronize
#  define gpuEventElapsedTime cudaEventElapsedTime
#  define gpuEventDestroy cudaEventDestroy
#  define GPU_ARCH_NAME(prop, buffer, size) snprintf((buffer), (size), "sm_%d%d", (prop).major, (prop).minor)
#endif

#if !GLMRT_EMULATOR
// kernel<<<grid, block, shared bytes, stream>>>(args), written GLMRT_LAUNCH(grid, block, shared, stream, kernel)(args)
// so the emulator can run it.
#  define GLMRT_LAUNCH(grid, block, shared, stream, ...) __VA_ARGS__<<<(grid), (block), (shared), (stream)>>>
// The block's dynamic shared memory (the launch's third argument) as `type name[]`.
#  define GLMRT_DYNAMIC_SHARED(type, name) extern __shared__ type name[]

// Butterfly exchange within a warp: lanes differing in the bits of laneMask swap values (float or int).
template <class T>
__device__ __forceinline__ T gpu_shfl_xor(T value, int laneMask)
{
#if GLMRT_HIP
    return __shfl_xor(value, laneMask);
#else
    return __shfl_xor_sync(0xffffffffu, value, laneMask);
#endif
}
#endif // !GLMRT_EMULATOR
