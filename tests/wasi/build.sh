#!/bin/sh
# Rebuilds the WASI test programs in bin/ from src/ (and the vendored libraries in vendor/).
# Needs Debian's clang, lld and wasi-libc:
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32
# The .wasm files are committed because CI has no clang; rerun this after changing a source.
# -Wl,--strip-debug drops DWARF but keeps the name section, so traps show function names.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
CFLAGS="--target=wasm32-wasi -O2 -Wall -Wextra -Wl,--strip-debug"
# The *_simd builds: -O3 -msimd128 auto-vectorises loops into 128-bit vector instructions;
# they must print what the plain builds print.
SIMD_CFLAGS="--target=wasm32-wasi -O3 -msimd128 -Wall -Wextra -Wl,--strip-debug"
mkdir -p bin

for src in src/*.c; do
    name=$(basename "$src" .c)
    case "$name" in
        sqlite_demo|lua_demo|zlib_demo) continue ;; # built below with their libraries
    esac
    $CC $CFLAGS "$src" -o "bin/$name.wasm"
done

if [ -d vendor/zlib ]; then
    $CC $CFLAGS -w -DHAVE_UNISTD_H -Ivendor/zlib \
        src/zlib_demo.c vendor/zlib/*.c -o bin/zlib_demo.wasm
    $CC $SIMD_CFLAGS -w -DHAVE_UNISTD_H -Ivendor/zlib \
        src/zlib_demo.c vendor/zlib/*.c -o bin/zlib_demo_simd.wasm
fi
if [ -d vendor/lua ]; then
    # lua_wasi.h replaces setjmp-based error handling (see there); lua.c/luac.c are the
    # stand-alone programs, not part of the library.
    $CC $CFLAGS -w -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
        -include src/lua_wasi.h -Isrc/lua_compat -Ivendor/lua \
        src/lua_demo.c $(ls vendor/lua/*.c | grep -v -e '/lua\.c$' -e '/luac\.c$') \
        -lwasi-emulated-signal -lwasi-emulated-process-clocks -o bin/lua_demo.wasm
    # The same with Wasm 3.0 tail calls (clang emits return_call for calls in tail position).
    $CC $CFLAGS -mtail-call -w -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
        -include src/lua_wasi.h -Isrc/lua_compat -Ivendor/lua \
        src/lua_demo.c $(ls vendor/lua/*.c | grep -v -e '/lua\.c$' -e '/luac\.c$') \
        -lwasi-emulated-signal -lwasi-emulated-process-clocks -o bin/lua_demo_tail_call.wasm
    $CC $SIMD_CFLAGS -w -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
        -include src/lua_wasi.h -Isrc/lua_compat -Ivendor/lua \
        src/lua_demo.c $(ls vendor/lua/*.c | grep -v -e '/lua\.c$' -e '/luac\.c$') \
        -lwasi-emulated-signal -lwasi-emulated-process-clocks -o bin/lua_demo_simd.wasm
fi
if [ -d vendor/sqlite ]; then
    # The flags libsqlite3-sys uses for wasm32-wasi (unix VFS on wasi-libc's emulations).
    $CC $CFLAGS -w -Ivendor/sqlite \
        -DSQLITE_THREADSAFE=0 -DLONGDOUBLE_TYPE=double -DHAVE_LOCALTIME_R \
        -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_SIGNAL \
        -D_WASI_EMULATED_PROCESS_CLOCKS \
        -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_DEPRECATED -DSQLITE_DEFAULT_MEMSTATUS=0 \
        src/sqlite_demo.c vendor/sqlite/sqlite3.c \
        -lwasi-emulated-mman -lwasi-emulated-getpid -lwasi-emulated-signal \
        -lwasi-emulated-process-clocks -o bin/sqlite_demo.wasm
fi
ls -l bin/*.wasm
