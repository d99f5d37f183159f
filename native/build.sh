#!/usr/bin/env bash
# Builds libglmrt and copies it to artifacts/native/<rid>/, where GlmRuntime.csproj picks it up (copied beside the
# assembly under runtimes/<rid>/native/ and packed there in the NuGet package).
#   native/build.sh hip    AMD: hipcc, else clang++-19/clang++ with -x hip (GLMRT_HIP_ARCHITECTURES, default gfx90a;gfx942;gfx950)
#   native/build.sh emulator [32|64]  the kernels on CPU threads (a test tool, not a backend) into artifacts/native-emulator<W>/
#   native/build.sh cuda   NVIDIA: nvcc 11.8+ (GLMRT_CUDA_ARCHITECTURES, default 90; GLMRT_CUDA_HOST_COMPILER when the
#                          default g++ is newer than nvcc accepts, e.g. clang++-14 with Debian's CUDA 11.8)
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain=${1:-hip}
build=native/build/$toolchain
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
rid=linux-$arch
case "$toolchain" in
  hip)
    cxx=${GLMRT_HIP_CXX:-$(command -v hipcc || command -v clang++-19 || command -v clang++ || true)}
    [ -n "$cxx" ] || { echo "native/build.sh: no HIP compiler (hipcc, clang++-19 or clang++) on PATH" >&2; exit 1; }
    cmake -S native -B "$build" -DGLMRT_GPU=HIP -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
      -DGLMRT_HIP_ARCHITECTURES="${GLMRT_HIP_ARCHITECTURES:-gfx90a;gfx942;gfx950}"
    ;;
  cuda)
    host=()
    [ -n "${GLMRT_CUDA_HOST_COMPILER:-}" ] && host=(-DCMAKE_CUDA_HOST_COMPILER="$GLMRT_CUDA_HOST_COMPILER")
    cmake -S native -B "$build" -DGLMRT_GPU=CUDA -DCMAKE_BUILD_TYPE=Release "${host[@]}" \
      -DGLMRT_CUDA_ARCHITECTURES="${GLMRT_CUDA_ARCHITECTURES:-90}"
    ;;
  emulator)
    warp=${2:-32}
    build=native/build/emulator$warp
    cmake -S native -B "$build" -DGLMRT_GPU=EMULATOR -DGLMRT_EMULATOR_WARP_SIZE="$warp" -DCMAKE_BUILD_TYPE=Release
    cmake --build "$build" -j "$(nproc)"
    mkdir -p "artifacts/native-emulator$warp/$rid"
    cp "$build/libglmrt.so" "artifacts/native-emulator$warp/$rid/libglmrt.so"
    echo "native/build.sh: artifacts/native-emulator$warp/$rid/libglmrt.so (CPU emulator, warp $warp)"
    exit 0
    ;;
  *) echo "native/build.sh: toolchain must be hip, cuda or emulator, not '$toolchain'" >&2; exit 2 ;;
esac
cmake --build "$build" -j "$(nproc)"
mkdir -p "artifacts/native/$rid"
cp "$build/libglmrt.so" "artifacts/native/$rid/libglmrt.so"
echo "native/build.sh: artifacts/native/$rid/libglmrt.so ($toolchain)"
