// Drives the Lua 5.4 interpreter (vendor/lua, from the lua-src crate) on a script that
// exercises closures, tables, string formatting and patterns, sorting, integer and float
// arithmetic, metatables and the garbage collector. (Not coroutines: yielding unwinds with
// longjmp, which this WASI build lacks; see lua_wasi.h.)
#include <stdio.h>
#include <stdlib.h>
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

_Noreturn void lua_wasi_throw(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "lua error: %s\n", msg ? msg : "(no message)");
    exit(1);
}

static const char *script =
    "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end\n"
    "print('fib(20) = ' .. fib(20))\n"
    "local t = {}\n"
    "for i = 1, 10 do t[i] = (i * 7919) % 101 end\n"
    "table.sort(t)\n"
    "print('sorted: ' .. table.concat(t, ','))\n"
    "local words = {}\n"
    "for w in string.gmatch('the quick brown fox jumps over the lazy dog', '%a+') do\n"
    "  words[#words + 1] = w:upper()\n"
    "end\n"
    "print(#words .. ' words, last ' .. words[#words])\n"
    "print(string.format('%5.2f|%-6s|%x|%q', math.pi, 'lua', 255, 'a\\nb'))\n"
    "print(('wasmtier'):rep(2, '-'):gsub('t', 'T'))\n"
    "print(7 // 2, 7 / 2, 2^10, math.maxinteger, 1e300 * 10)\n"
    "local counts = setmetatable({}, {__index = function() return 0 end})\n"
    "for c in ('mississippi'):gmatch('.') do counts[c] = counts[c] + 1 end\n"
    "print('s=' .. counts.s .. ' i=' .. counts.i .. ' p=' .. counts.p)\n"
    "local big = {}\n"
    "for i = 1, 100000 do big[i] = {i} end\n"
    "big = nil\n"
    "collectgarbage()\n"
    "print('gc ok, utf8 len ' .. utf8.len('h\\u{e9}llo'))\n"
    "print('args: ' .. table.concat(arg or {}, ' '))\n";

int main(int argc, char **argv) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lua_newtable(L);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i);
    }
    lua_setglobal(L, "arg");
    if (luaL_loadstring(L, script) != LUA_OK || lua_pcall(L, 0, 0, 0) != LUA_OK) {
        fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
        return 1;
    }
    printf("%s\n", LUA_RELEASE);
    lua_close(L);
    return 0;
}
