#!/usr/bin/env bash
# Build the llama-bench that `npm run fidelity` holds our numbers against.
#
# 1. llama-bench is compiled from the llama.cpp source that the installed node-llama-cpp ships
#    (llama/gitRelease.bundle), the way node-llama-cpp builds its prebuilt CPU binaries: every CPU variant as a
#    loadable backend (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS, chosen at run time, e.g. libggml-cpu-zen4.so), no
#    -march=native and no OpenMP. A native OpenMP build is another engine (measured: it decoded tg128 at 0.7x and
#    tg128 at depth 4096 at 0.3x this build, one thread, 25M Q4_K_M, 2-core AVX-512 VM).
# 2. On Linux it then assembles OUT_DIR/same-binaries/: that llama-bench's own code (its binary and
#    libllama-bench-impl.so: argument parsing and the timed loop) over node-llama-cpp's prebuilt engine files
#    (libllama, libggml, libggml-base, libllama-common and every libggml-cpu-*.so), with a `llama-bench` wrapper that
#    points the loader at them. Same source is not same machine code: node-llama-cpp's prebuilt binaries come from
#    another compiler (GCC 11.4 on Ubuntu 22.04 for 3.22.1, against Debian 12's GCC 12.2 here), and that alone moved
#    pp512 by 2 % (360M Q4_K_M, one thread). Against same-binaries/ a ratio measures our harness and nothing else.
#
# usage: scripts/build-matched-llama-bench.sh [PROJECT_DIR] [OUT_DIR]   (defaults: . and $TMPDIR/gguf-bench-llama-bench)
# Takes about 8 minutes on 2 cores (it compiles every CPU variant); prints the llama-bench to use last
# (same-binaries/llama-bench on Linux with node-llama-cpp's prebuilt binaries, else the source-matched build).
set -euo pipefail
project=${1:-.}
out=${2:-${TMPDIR:-/tmp}/gguf-bench-llama-bench}
bundle="$project/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "no $bundle: run npm install first" >&2; exit 2; }
if [ ! -x "$out/build/bin/llama-bench" ]; then
  rm -rf "$out"
  git clone -q "$bundle" "$out" 2>/dev/null
  log="$out.build.log"
  if ! { cmake -S "$out" -B "$out/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON \
           -DGGML_CPU_ALL_VARIANTS=ON -DGGML_OPENMP=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TESTS=OFF &&
         cmake --build "$out/build" -j"$(nproc)" --target llama-bench; } >"$log" 2>&1; then
    tail -20 "$log" >&2; echo "build failed; whole log: $log" >&2; exit 1
  fi
fi
built="$out/build/bin/llama-bench"

# 2. the same binaries node-llama-cpp loads (Linux prebuilt CPU binaries only)
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) nlc=linux-x64 ;;
  Linux-aarch64) nlc=linux-arm64 ;;
  *) nlc= ;;
esac
bins="$project/node_modules/@node-llama-cpp/$nlc/bins/$nlc"
if [ -z "$nlc" ] || [ ! -f "$bins/libggml-base.so" ]; then
  echo "no node-llama-cpp prebuilt Linux CPU binaries in ${bins}: using the source-matched build, whose machine code may differ" >&2
  echo "$built"; exit 0
fi
if [ -d "$project/node_modules/node-llama-cpp/llama/localBuilds" ]; then
  echo "note: node-llama-cpp has local builds (node_modules/node-llama-cpp/llama/localBuilds); if it loads one of those," >&2
  echo "      same-binaries/ holds its prebuilt files, not the ones it runs" >&2
fi
same="$out/same-binaries"
rm -rf "$same"; mkdir -p "$same"
cp "$built" "$same/llama-bench.bin"
cp "$out/build/bin/libllama-bench-impl.so" "$same/"
# llama-bench asks for these sonames; the files are node-llama-cpp's
cp "$bins"/libllama.v*.so "$same/libllama.so.0"
cp "$bins"/libggml.v*.so "$same/libggml.so.0"
cp "$bins/libggml-base.so" "$same/libggml-base.so.0"
cp "$bins/libllama-common.so" "$same/libllama-common.so.0"
cp "$bins"/libggml-cpu*.so "$same/"   # ggml loads the best CPU variant from the executable's folder
cat >"$same/llama-bench" <<'WRAP'
#!/bin/sh
# llama-bench's own code over node-llama-cpp's prebuilt engine files (see scripts/build-matched-llama-bench.sh)
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$dir/llama-bench.bin" "$@"
WRAP
chmod +x "$same/llama-bench"
# every engine library must resolve inside same-binaries/, or the comparison is not what it says
if LD_LIBRARY_PATH="$same" ldd "$same/llama-bench.bin" | grep -E 'lib(llama|ggml)' | grep -v "=> $same/" >&2; then
  echo "same-binaries/llama-bench.bin resolves an engine library outside $same (above)" >&2; exit 1
fi
echo "$same/llama-bench"
