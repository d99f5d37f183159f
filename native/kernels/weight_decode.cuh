// Reading weights in their stored form (MODEL.md §2, MXFP4.md §1): one element, or eight consecutive elements of a
// row with one vector load. Decoding is exact (every format here is a subset of float32), so kernels agree with the
// managed reference decode up to the order of their float32 sums.
#pragma once

#include "gpu.h"
#include "../include/glmrt.h"

__device__ __forceinline__ float bf16_to_float(uint32_t bits) { return __uint_as_float(bits << 16); }

__device__ __forceinline__ float f16_to_float(uint32_t h)
{
    uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    if (exponent == 0) return (sign ? -1.f : 1.f) * (float)mantissa * 5.9604644775390625e-8f; // m · 2^-24
    if (exponent == 31) return __uint_as_float(sign | 0x7f800000u | (mantissa << 13));
    return __uint_as_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// float8 e4m3fn: bias 7, no infinities, S.1111.111 is NaN.
__device__ __forceinline__ float e4m3_to_float(uint32_t byte)
{
    uint32_t sign = (byte & 0x80u) << 24, exponent = (byte >> 3) & 0xf, mantissa = byte & 0x7;
    if (exponent == 15 && mantissa == 7) return __uint_as_float(0x7fc00000u);
    if (exponent == 0) return (sign ? -1.f : 1.f) * (float)mantissa * 0.001953125f; // m · 2^-9
    return __uint_as_float(sign | ((exponent + 120) << 23) | (mantissa << 20));
}

// E2M1 magnitudes {0, 0.5, 1, 1.5, 2, 3, 4, 6}; bit 3 is the sign.
__device__ __forceinline__ float e2m1_to_float(uint32_t nibble)
{
    uint32_t magnitude = nibble & 7;
    // 0.5·m for m < 4, then 2, 3, 4, 6: computed rather than looked up so no table lives in device memory.
    float value = magnitude < 4 ? 0.5f * (float)magnitude : (magnitude == 7 ? 6.f : (float)(magnitude - 2));
    return (nibble & 8) ? -value : value;
}

// E8M0: 2^(e − 127); 0xFF is NaN.
__device__ __forceinline__ float e8m0_to_float(uint32_t e)
{
    if (e == 255) return __uint_as_float(0x7fc00000u);
    if (e == 0) return __uint_as_float(0x00400000u); // 2^-127 is a float32 subnormal
    return __uint_as_float(e << 23);
}

// A weight matrix as the kernels see it (glmrt_matrix with byte pointers).
struct MatrixView {
    int rows, columns, block_rows, block_columns;
    const uint8_t* data;
    const uint8_t* scales;
};

inline MatrixView make_view(const glmrt_matrix& m)
{
    MatrixView v;
    v.rows = m.rows;
    v.columns = m.columns;
    v.block_rows = m.block_rows;
    v.block_columns = m.block_columns;
    v.data = (const uint8_t*)m.data;
    v.scales = (const uint8_t*)m.scales;
    return v;
}

template <int DTYPE>
__device__ __forceinline__ float load_weight(const MatrixView& w, int n, int k)
{
    const size_t index = (size_t)n * w.columns + k;
    if (DTYPE == GLMRT_DTYPE_F32) return ((const float*)w.data)[index];
    if (DTYPE == GLMRT_DTYPE_F16) return f16_to_float(((const uint16_t*)w.data)[index]);
    if (DTYPE == GLMRT_DTYPE_BF16) return bf16_to_float(((const uint16_t*)w.data)[index]);
    if (DTYPE == GLMRT_DTYPE_FP8_BLOCK) {
        const int tiles = (w.columns + w.block_columns - 1) / w.block_columns;
        const float scale = ((const float*)w.scales)[(size_t)(n / w.block_rows) * tiles + k / w.block_columns];
        return e4m3_to_float(w.data[index]) * scale;
    }
    // MXFP4: row n holds ceil(K/2) bytes and ceil(K/32) scales.
    const size_t row_bytes = (size_t)(w.columns + 1) / 2, row_scales = (size_t)(w.columns + 31) / 32;
    const uint32_t byte = w.data[(size_t)n * row_bytes + k / 2];
    return e2m1_to_float((k & 1) ? byte >> 4 : byte & 0xf) * e8m0_to_float(w.scales[(size_t)n * row_scales + k / 32]);
}

// Elements k..k+7 of row n. Requires K % 8 == 0, k % 8 == 0, 16-byte aligned data, and for FP8 block_columns % 8 == 0
// (the launchers check these and use load_weight otherwise).
template <int DTYPE>
__device__ __forceinline__ void load_weight8(const MatrixView& w, int n, int k, float out[8])
{
    const size_t index = (size_t)n * w.columns + k;
    if (DTYPE == GLMRT_DTYPE_F32) {
        const float4 a = ((const float4*)w.data)[index / 4], b = ((const float4*)w.data)[index / 4 + 1];
        out[0] = a.x; out[1] = a.y; out[2] = a.z; out[3] = a.w;
        out[4] = b.x; out[5] = b.y; out[6] = b.z; out[7] = b.w;
    } else if (DTYPE == GLMRT_DTYPE_F16 || DTYPE == GLMRT_DTYPE_BF16) {
        const uint4 v = ((const uint4*)w.data)[index / 8];
        const uint32_t words[4] = {v.x, v.y, v.z, v.w};
        for (int i = 0; i < 4; i++) {
            out[2 * i] = DTYPE == GLMRT_DTYPE_BF16 ? bf16_to_float(words[i] & 0xffff) : f16_to_float(words[i] & 0xffff);
            out[2 * i + 1] = DTYPE == GLMRT_DTYPE_BF16 ? bf16_to_float(words[i] >> 16) : f16_to_float(words[i] >> 16);
        }
    } else if (DTYPE == GLMRT_DTYPE_FP8_BLOCK) {
        const uint2 v = ((const uint2*)w.data)[index / 8];
        const int tiles = (w.columns + w.block_columns - 1) / w.block_columns;
        const float scale = ((const float*)w.scales)[(size_t)(n / w.block_rows) * tiles + k / w.block_columns];
        for (int i = 0; i < 4; i++) {
            out[i] = e4m3_to_float((v.x >> (8 * i)) & 0xff) * scale;
            out[4 + i] = e4m3_to_float((v.y >> (8 * i)) & 0xff) * scale;
        }
    } else {
        const size_t row_bytes = (size_t)w.columns / 2, row_scales = (size_t)(w.columns + 31) / 32;
        const uint32_t v = ((const uint32_t*)(w.data + (size_t)n * row_bytes))[k / 8];
        const float scale = e8m0_to_float(w.scales[(size_t)n * row_scales + k / 32]);
        for (int i = 0; i < 8; i++) out[i] = e2m1_to_float((v >> (4 * i)) & 0xf) * scale;
    }
}

// Whether load_weight8 may be used for this matrix.
inline bool vector_loads_allowed(const glmrt_matrix& m)
{
    if (m.columns % 8 != 0 || ((uintptr_t)m.data % 16) != 0) return false;
    if (m.dtype == GLMRT_DTYPE_FP8_BLOCK && m.block_columns % 8 != 0) return false;
    return true;
}
