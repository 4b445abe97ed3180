/* Stand-in for <setjmp.h>, which wasi-libc lacks: Lua's ldo.c includes it unconditionally,
 * but with lua_wasi.h's LUAI_THROW/LUAI_TRY it never uses anything from it. */
