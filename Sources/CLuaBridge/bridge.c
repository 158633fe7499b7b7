#include "CLuaBridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static clb_dispatch_fn dispatcher = NULL;

void clb_set_dispatcher(clb_dispatch_fn fn) { dispatcher = fn; }

double clb_monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- allocator ---------------------------------------------------------- */

static void *clb_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clb_runtime *rt = (clb_runtime *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        rt->used -= old;
        return NULL;
    }
    if (rt->limit > 0 && nsize > old && rt->used - old + nsize > rt->limit) {
        rt->limit_hit = 1;
        if (rt->used - old + nsize <= rt->limit + rt->grace) goto allocate;
        /* Refuse only while Lua code runs under clb_pcall; Lua then raises
           LUA_ERRMEM itself and unwinds to that pcall. */
        if (rt->soft == 0) return NULL;
    }
allocate:;
    void *p = realloc(ptr, nsize);
    if (p == NULL) return NULL;
    rt->used = rt->used - old + nsize;
    if (rt->used > rt->peak) rt->peak = rt->used;
    return p;
}

static int clb_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "churnlab: unprotected Lua error (%s); aborting\n", msg ? msg : "?");
    fflush(stderr);
    return 0; /* Lua aborts after the panic handler returns */
}

lua_State *clb_newstate(clb_runtime *rt) {
    memset(rt, 0, sizeof *rt);
    rt->soft = 1;
    rt->hook_count = 10000;
    lua_State *L = lua_newstate(clb_alloc, rt);
    if (L) lua_atpanic(L, clb_panic);
    return L;
}

clb_runtime *clb_runtime_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (clb_runtime *)ud;
}

void clb_close(lua_State *L) {
    clb_runtime *rt = clb_runtime_of(L);
    rt->soft = 1;
    rt->deadline = 0;
    lua_close(L);
}

static int openlibs_k(lua_State *L) {
    luaL_openlibs(L);
    return 0;
}

int clb_openlibs(lua_State *L) {
    lua_pushcfunction(L, openlibs_k);
    return clb_pcall(L, 0, 0, 0);
}

/* ---- errors, trampoline, protected calls -------------------------------- */

/* Raises the value on top of the stack; with `where`, prefixes the position of
   the calling Lua code to string messages, as luaL_error does. */
static int raise_top(lua_State *L, int where) {
    if (where && lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int raise_memory_limit(lua_State *L, clb_runtime *rt) {
    rt->limit_hit = 0;
    rt->soft++; /* formatting the message must not itself fail */
    luaL_where(L, 1);
    lua_pushfstring(L, "memory limit exceeded (%d MB)", (int)(rt->limit >> 20));
    lua_concat(L, 2);
    rt->soft--;
    /* Raising needs a little memory (stack for the message handler, the
       traceback); bounded, and cleared by the enclosing clb_pcall. */
    rt->grace = (rt->used > rt->limit ? rt->used - rt->limit : 0) + (1 << 20);
    return lua_error(L);
}

int clb_trampoline(lua_State *L) {
    clb_runtime *rt = clb_runtime_of(L);
    void *box = lua_touserdata(L, lua_upvalueindex(1));
    rt->soft++;
    int n = dispatcher(L, box);
    rt->soft--;
    /* The Swift frame has returned: raising is safe from here on. */
    if (n == CLB_RAISE) return raise_top(L, 0);
    if (n == CLB_RAISE_WHERE) return raise_top(L, 1);
    if (rt->soft == 0 && rt->limit > 0 && rt->limit_hit && rt->used > rt->limit)
        return raise_memory_limit(L, rt);
    return n;
}

void clb_push_swift_function(lua_State *L, void *box) {
    lua_pushlightuserdata(L, box);
    lua_pushcclosure(L, clb_trampoline, 1);
}

/* Message handler: appends a traceback to string messages; other values are
   turned into strings with __tostring first (as lua.c does). */
static int msgh(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    /* Reporting must work right after a memory-limit error, when the heap is
       still full: the traceback may go over the limit. */
    clb_runtime *rt = clb_runtime_of(L);
    rt->soft++;
    luaL_traceback(L, L, msg, 1);
    rt->soft--;
    return 1;
}

int clb_pcall(lua_State *L, int nargs, int nresults, int traceback) {
    clb_runtime *rt = clb_runtime_of(L);
    int base = 0;
    if (traceback) {
        base = lua_gettop(L) - nargs;
        lua_pushcfunction(L, msgh);
        lua_insert(L, base);
    }
    int saved = rt->soft;
    size_t saved_grace = rt->grace;
    rt->soft = 0;
    rt->limit_hit = 0;
    rt->grace = 0;
    int status = lua_pcall(L, nargs, nresults, base);
    rt->soft = saved;
    rt->grace = saved_grace;
    if (traceback) lua_remove(L, base);
    return status;
}

/* ---- limits: instruction-count hook ------------------------------------ */

static void hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clb_runtime *rt = clb_runtime_of(L);
    /* Once tripped, the hook fires on every instruction: a script that
       catches the error with pcall is stopped by the next instruction it runs
       outside that pcall, so nesting only delays the stop by one instruction
       per level. clb_arm_deadline restores the normal rate. */
    if (rt->interrupt) {
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
        luaL_where(L, 0); /* inside a hook, level 0 is the running Lua function */
        lua_pushliteral(L, "interrupted");
        lua_concat(L, 2);
        lua_error(L);
    }
    if (rt->deadline > 0 && clb_monotonic() > rt->deadline) {
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
        char msg[64];
        snprintf(msg, sizeof msg, "time limit exceeded (%g s)", rt->timeout);
        luaL_where(L, 0);
        lua_pushstring(L, msg);
        lua_concat(L, 2);
        lua_error(L);
    }
}

void clb_install_hook(lua_State *L) {
    clb_runtime *rt = clb_runtime_of(L);
    lua_sethook(L, hook, LUA_MASKCOUNT, rt->hook_count);
}

void clb_arm_deadline(lua_State *L, double seconds) {
    clb_runtime *rt = clb_runtime_of(L);
    lua_sethook(L, hook, LUA_MASKCOUNT, rt->hook_count);
    rt->timeout = seconds;
    rt->deadline = seconds > 0 ? clb_monotonic() + seconds : 0;
}

void clb_request_interrupt(clb_runtime *rt) { rt->interrupt = 1; }

/* coroutine.create that installs the hook on the new thread (hooks are per
   thread and not inherited). */
static int cocreate(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *NL = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, NL, 1);
    clb_runtime *rt = clb_runtime_of(L);
    lua_sethook(NL, hook, LUA_MASKCOUNT, rt->hook_count);
    return 1;
}

/* coroutine.wrap on top of the hooked create. */
static int auxwrap(lua_State *L) {
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int narg = lua_gettop(L);
    if (!lua_checkstack(co, narg)) return luaL_error(L, "too many arguments to resume");
    lua_xmove(L, co, narg);
    int nres = 0;
    int status = lua_resume(co, L, narg, &nres);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) return luaL_error(L, "too many results to resume");
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1); /* error object */
    if (lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int cowrap(lua_State *L) {
    cocreate(L);
    lua_pushcclosure(L, auxwrap, 1);
    return 1;
}

static int hook_coroutines_k(lua_State *L) {
    lua_getglobal(L, "coroutine");
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_pushcfunction(L, cocreate);
        lua_setfield(L, -2, "create");
        lua_pushcfunction(L, cowrap);
        lua_setfield(L, -2, "wrap");
    }
    return 0;
}

void clb_hook_coroutines(lua_State *L) {
    lua_pushcfunction(L, hook_coroutines_k);
    clb_pcall(L, 0, 0, 0);
}

void **clb_new_box(lua_State *L) {
    void **p = (void **)lua_newuserdatauv(L, CLB_BOX_WORDS * sizeof(void *), 0);
    memset(p, 0, CLB_BOX_WORDS * sizeof(void *));
    return p;
}

/* __index for classes with a fallback: methods[key], else fallback(obj, key).
   Upvalues: 1 = methods table, 2 = fallback function. */
static int index_with_fallback(lua_State *L) {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
    return 1;
}

void clb_push_index_with_fallback(lua_State *L) {
    lua_pushcclosure(L, index_with_fallback, 2);
}

int clb_bench_c_add1(lua_State *L) {
    lua_pushnumber(L, luaL_checknumber(L, 1) + 1);
    return 1;
}
