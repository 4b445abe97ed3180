// Included into every Lua source when building for WASI (see build.sh). wasm32-wasi has no
// setjmp/longjmp in this toolchain, so a Lua error cannot unwind: instead it prints the
// error message and exits with status 1 (lua_demo.c runs only scripts that do not raise).
#ifndef LUA_WASI_H
#define LUA_WASI_H
struct lua_State;
_Noreturn void lua_wasi_throw(struct lua_State *L);
#define LUAI_THROW(L, c) lua_wasi_throw(L)
#define LUAI_TRY(L, c, a) { a }
#define luai_jmpbuf int
#endif
