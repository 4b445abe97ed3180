#!/bin/sh
# Builds the C benchmark programs into ../wasm/ (committed, as CI has no clang) and natively
# into ./native/ (not committed) to produce the reference outputs the benchmarks check.
# Needs: apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 (and gcc).
set -eu
cd "$(dirname "$0")"
ZLIB=../../tests/wasi/vendor/zlib
# libbzip2 1.0.8 (vendored in bzip2/), without its stdio wrappers.
BZIP2="-w -DBZ_NO_STDIO -Ibzip2 bzip2/blocksort.c bzip2/huffman.c bzip2/crctable.c bzip2/randtable.c
       bzip2/compress.c bzip2/decompress.c bzip2/bzlib.c"
WASM_FLAGS="--target=wasm32-wasi -O2 -Wall -Wl,--strip-debug"
# The *_simd builds: clang auto-vectorises loops into 128-bit vector instructions.
SIMD_FLAGS="--target=wasm32-wasi -O3 -msimd128 -Wall -Wl,--strip-debug"
mkdir -p ../wasm native
clang $WASM_FLAGS intmix.c -o ../wasm/intmix.wasm
clang $WASM_FLAGS sort_hash.c -o ../wasm/sort_hash.wasm
clang $WASM_FLAGS -w -DHAVE_UNISTD_H -I$ZLIB compress.c $ZLIB/*.c -o ../wasm/compress.wasm
clang $WASM_FLAGS coremark.c -o ../wasm/coremark.wasm
clang $WASM_FLAGS bzip2.c $BZIP2 -o ../wasm/bzip2.wasm
clang $WASM_FLAGS image.c -o ../wasm/image.wasm
clang $SIMD_FLAGS image.c -o ../wasm/image_simd.wasm
clang $SIMD_FLAGS bzip2.c $BZIP2 -o ../wasm/bzip2_simd.wasm
clang $SIMD_FLAGS -w -DHAVE_UNISTD_H -I$ZLIB compress.c $ZLIB/*.c -o ../wasm/compress_simd.wasm
gcc -O2 intmix.c -o native/intmix
gcc -O2 sort_hash.c -o native/sort_hash
gcc -O2 -w -DHAVE_UNISTD_H -I$ZLIB compress.c $ZLIB/*.c -o native/compress
gcc -O2 coremark.c -o native/coremark
gcc -O2 bzip2.c $BZIP2 -o native/bzip2
gcc -O2 image.c -o native/image
