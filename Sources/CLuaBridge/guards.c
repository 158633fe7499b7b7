/*
 * Library functions replaced so the limits stay in force everywhere Lua
 * would otherwise run a script's code without the hook, or keep a memory
 * grace allowance after an error was caught.
 *
 * Where Lua disables hooks (`allowhook = 0`):
 *  - a message handler called for an error raised from inside the hook (the
 *    time limit or an interrupt) runs with hooks off. `xpcall`'s handler is
 *    wrapped: once the token is cancelled it returns the error unchanged and
 *    never calls the script's handler.
 *  - a finalizer (`__gc`) runs with hooks off, during collection and at
 *    `lua_close`. `setmetatable` and `debug.setmetatable` wrap a metatable's
 *    `__gc` so the script's finalizer runs in a fresh coroutine, which has
 *    the hook. (A `__gc` assigned into a metatable after it was set cannot be
 *    seen here; the process watchdog is the backstop for that.)
 *  - a coroutine killed by an error raised from the hook keeps hooks off, so
 *    its pending `<close>` handlers would run unguarded: once the token is
 *    cancelled they are not run (each would be stopped at its first
 *    instruction anyway); otherwise `coroutine.wrap` closes them as Lua's own
 *    `auxwrap` does since 5.4.4.
 *
 * Every place that catches errors (pcall, xpcall, coroutine.resume/wrap, the
 * finalizer wrapper) clears the grace allowance given for raising a memory
 * error: once caught, the script is back under the plain limit.
 *
 * Each replacement keeps the original's argument checks and messages.
 */
#include "CLuaBridge.h"
#include "bridge_internal.h"

/* ---- pcall / xpcall ----------------------------------------------------- */

static int finishpcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        clb_reset_grace(clb_runtime_of(L));
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int guarded_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finishpcall);
    return finishpcall(L, status, 0);
}

/* The script's message handler (upvalue 1), skipped once the run is being
   stopped: it could not be interrupted if the error came from the hook. */
static int guarded_handler(lua_State *L) {
    if (lua_gettop(L) == 0) lua_pushnil(L);
    if (clb_cancel_reason(clb_runtime_of(L))) {
        lua_settop(L, 1);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int guarded_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finishpcall);
    return finishpcall(L, status, 2);
}

/* ---- coroutines ----------------------------------------------------------- */

static lua_State *getco(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co, 1, "coroutine");
    return co;
}

/* coroutine.create; the new thread gets the limit hook (hooks are per thread). */
static int guarded_cocreate(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *NL = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, NL, 1);
    clb__hook_thread(NL, clb_runtime_of(L));
    return 1;
}

/* As lcorolib's auxresume: results (>= 0) or -1 with the error on top of L. */
static int auxresume(lua_State *L, lua_State *co, int narg) {
    int nres;
    if (!lua_checkstack(co, narg)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, narg);
    int status = lua_resume(co, L, narg, &nres);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    return -1;
}

static int guarded_coresume(lua_State *L) {
    lua_State *co = getco(L);
    int r = auxresume(L, co, lua_gettop(L) - 1);
    if (r < 0) {
        clb_reset_grace(clb_runtime_of(L));
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(r + 1));
    return r + 1;
}

static int auxwrap(lua_State *L) {
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int r = auxresume(L, co, lua_gettop(L));
    if (r < 0) {
        clb_runtime *rt = clb_runtime_of(L);
        clb_reset_grace(rt);
        int stat = lua_status(co);
        if (stat != LUA_OK && stat != LUA_YIELD && !clb_cancel_reason(rt)) {
            /* An error in the coroutine: close its pending <close> variables. */
            stat = clb__closethread(co, L);
            lua_xmove(co, L, 1);
        }
        if (stat != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
        }
        return lua_error(L);
    }
    return r;
}

static int guarded_cowrap(lua_State *L) {
    guarded_cocreate(L);
    lua_pushcclosure(L, auxwrap, 1);
    return 1;
}

/* ---- finalizers ----------------------------------------------------------- */

/* A script's finalizer (upvalue 1), run in a fresh coroutine so the limit
   hook can stop it (Lua runs finalizers with hooks disabled). */
static int guarded_gc(lua_State *L) {
    clb_runtime *rt = clb_runtime_of(L);
    lua_State *co = lua_newthread(L);
    clb__hook_thread(co, rt);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 2);
    int nres = 0;
    int status = lua_resume(co, L, 1, &nres);
    clb_reset_grace(rt);
    if (status == LUA_OK) return 0;
    if (status == LUA_YIELD) {
        clb__closethread(co, L);
        return luaL_error(L, "attempt to yield from a finalizer");
    }
    if (!clb_cancel_reason(rt)) clb__closethread(co, L);
    lua_xmove(co, L, 1);
    return lua_error(L); /* reported by Lua as a warning, like any __gc error */
}

/* Wraps metatable `mt`'s __gc (a function or callable table) in guarded_gc. */
static void guard_finalizer(lua_State *L, int mt) {
    lua_pushliteral(L, "__gc");
    int t = lua_rawget(L, mt);
    if ((t == LUA_TFUNCTION && lua_tocfunction(L, -1) != guarded_gc) || t == LUA_TTABLE) {
        lua_pushcclosure(L, guarded_gc, 1);
        lua_pushliteral(L, "__gc");
        lua_insert(L, -2);
        lua_rawset(L, mt);
    } else {
        lua_pop(L, 1);
    }
}

static int guarded_setmetatable(lua_State *L) {
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    if (t == LUA_TTABLE) guard_finalizer(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int guarded_debug_setmetatable(lua_State *L) {
    int t = lua_type(L, 2);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    lua_settop(L, 2);
    if (t == LUA_TTABLE) guard_finalizer(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* ---- installation ---------------------------------------------------------- */

static void set_field(lua_State *L, const char *table, const char *name, lua_CFunction f) {
    if (table == NULL) {
        lua_pushcfunction(L, f);
        lua_setglobal(L, name);
        return;
    }
    if (lua_getglobal(L, table) == LUA_TTABLE) {
        lua_pushcfunction(L, f);
        lua_setfield(L, -2, name);
    }
    lua_pop(L, 1);
}

static int install_guards_k(lua_State *L) {
    set_field(L, NULL, "pcall", guarded_pcall);
    set_field(L, NULL, "xpcall", guarded_xpcall);
    set_field(L, NULL, "setmetatable", guarded_setmetatable);
    set_field(L, "coroutine", "create", guarded_cocreate);
    set_field(L, "coroutine", "wrap", guarded_cowrap);
    set_field(L, "coroutine", "resume", guarded_coresume);
    set_field(L, "debug", "setmetatable", guarded_debug_setmetatable);
    return 0;
}

int clb_install_guards(lua_State *L) {
    lua_pushcfunction(L, install_guards_k);
    return clb_pcall(L, 0, 0, 0);
}
