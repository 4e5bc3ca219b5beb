#!/usr/bin/env bash
# Build llama.cpp's llama-bench the way node-llama-cpp builds its prebuilt CPU binaries: from the llama.cpp source
# that the installed node-llama-cpp ships (llama/gitRelease.bundle), with every CPU variant as a loadable backend
# (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS, chosen at run time: e.g. libggml-cpu-zen4.so), no -march=native and no
# OpenMP. Only then does `npm run fidelity` compare the same engine: a native OpenMP build differs in its kernels
# (measured: a native build decoded tg128 at 0.7x and tg128 at depth 4096 at 0.3x the matched build, one thread, 25M Q4_K_M, 2-core AVX-512 VM).
# usage: scripts/build-matched-llama-bench.sh [PROJECT_DIR] [OUT_DIR]   (defaults: . and $TMPDIR/gguf-bench-llama-bench)
# Takes about 8 minutes on 2 cores (it compiles every CPU variant); prints the llama-bench path last.
set -euo pipefail
project=${1:-.}
out=${2:-${TMPDIR:-/tmp}/gguf-bench-llama-bench}
bundle="$project/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "no $bundle: run npm install first" >&2; exit 2; }
if [ -x "$out/build/bin/llama-bench" ]; then echo "$out/build/bin/llama-bench"; exit 0; fi
rm -rf "$out"
git clone -q "$bundle" "$out" 2>/dev/null
log="$out.build.log"
if ! { cmake -S "$out" -B "$out/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON \
         -DGGML_CPU_ALL_VARIANTS=ON -DGGML_OPENMP=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TESTS=OFF &&
       cmake --build "$out/build" -j"$(nproc)" --target llama-bench; } >"$log" 2>&1; then
  tail -20 "$log" >&2; echo "build failed; whole log: $log" >&2; exit 1
fi
echo "$out/build/bin/llama-bench"
