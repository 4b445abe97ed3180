#!/bin/sh
# Builds the C benchmark programs into ../wasm/ (committed, as CI has no clang) and natively
# into ./native/ (not committed) to produce the reference outputs the benchmarks check.
# Needs: apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 (and gcc).
set -eu
cd "$(dirname "$0")"
ZLIB=../../tests/wasi/vendor/zlib
WASM_FLAGS="--target=wasm32-wasi -O2 -Wall -Wl,--strip-debug"
mkdir -p ../wasm native
clang $WASM_FLAGS intmix.c -o ../wasm/intmix.wasm
clang $WASM_FLAGS sort_hash.c -o ../wasm/sort_hash.wasm
clang $WASM_FLAGS -w -DHAVE_UNISTD_H -I$ZLIB compress.c $ZLIB/*.c -o ../wasm/compress.wasm
gcc -O2 intmix.c -o native/intmix
gcc -O2 sort_hash.c -o native/sort_hash
gcc -O2 -w -DHAVE_UNISTD_H -I$ZLIB compress.c $ZLIB/*.c -o native/compress
