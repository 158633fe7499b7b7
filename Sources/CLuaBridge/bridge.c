#include "CLuaBridge.h"
#include "bridge_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(LUA_EXTRASPACE >= sizeof(void *), "clb_runtime_of needs a pointer of Lua's extra space");

static clb_dispatch_fn dispatcher = NULL;

void clb_set_dispatcher(clb_dispatch_fn fn) { dispatcher = fn; }

double clb_monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- allocator ---------------------------------------------------------- */

/* Swift-side bytes charged to the state's MemoryBudget (frames, models…). */
static size_t charged_bytes(const clb_runtime *rt) {
    if (rt->budget_charged == NULL) return 0;
    intptr_t c = *rt->budget_charged;
    return c > 0 ? (size_t)c : 0;
}

static void *clb_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clb_runtime *rt = (clb_runtime *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        rt->used -= old;
        return NULL;
    }
    if (rt->limit > 0 && nsize > old) {
        size_t after = rt->used - old + nsize + charged_bytes(rt);
        if (after > rt->limit) {
            rt->limit_hit = 1;
            if (after <= rt->limit + rt->grace) goto allocate;
            /* Refuse only while Lua code runs under clb_pcall; Lua then raises
               LUA_ERRMEM itself and unwinds to that pcall. */
            if (rt->soft == 0) return NULL;
        }
    }
allocate:;
    void *p = (rt->debug_fail_size > 0 && nsize >= rt->debug_fail_size) ? NULL : realloc(ptr, nsize);
    if (p == NULL) {
        /* A real allocation failure. Under clb_pcall, Lua raises LUA_ERRMEM
           and unwinds to it. While Swift is in control that raise would
           longjmp over a Swift frame: give the emergency reserve back to the
           system, retry, and let the trampoline report it once the Swift
           frame has returned (clb_over_limit also tells Swift to stop). */
        if (rt->soft == 0 || rt->closing_phase) return NULL;
        rt->debug_fail_size = 0;
        free(rt->reserve);
        rt->reserve = NULL;
        rt->alloc_failed = 1;
        p = realloc(ptr, nsize);
        if (p == NULL) {
            fprintf(stderr, "churnlab: out of memory (%zu bytes requested while native code held the Lua state); aborting\n", nsize);
            fflush(stderr);
            abort();
        }
    }
    rt->used = rt->used - old + nsize;
    if (rt->used > rt->peak) rt->peak = rt->used;
    return p;
}

#define trip clb__trip

static int clb_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "churnlab: unprotected Lua error (%s); aborting\n", msg ? msg : "?");
    fflush(stderr);
    return 0; /* Lua aborts after the panic handler returns */
}

/* Kept allocated so a real allocation failure while Swift holds the state
   can be survived (see clb_alloc) and reported after the Swift frame returns. */
#define CLB_RESERVE_BYTES (4u << 20)

static void refill_reserve(clb_runtime *rt) {
    if (rt->reserve == NULL) rt->reserve = malloc(CLB_RESERVE_BYTES);
}

lua_State *clb_newstate(clb_runtime *rt) {
    memset(rt, 0, sizeof *rt);
    rt->soft = 1;
    rt->hook_count = 10000;
    refill_reserve(rt);
    lua_State *L = lua_newstate(clb_alloc, rt);
    if (L) {
        *(clb_runtime **)lua_getextraspace(L) = rt;   /* before any coroutine exists: they copy it */
        lua_atpanic(L, clb_panic);
    }
    return L;
}

void clb_close(lua_State *L) {
    clb_runtime *rt = clb_runtime_of(L);
    rt->soft = 1;          /* finalizers at close are not refused memory by the limit... */
    rt->closing_phase = 1; /* ...but a real failure is an ordinary (caught) LUA_ERRMEM */
    lua_close(L);
    free(rt->reserve);
    rt->reserve = NULL;
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

/* Raising needs a little memory (stack for the message handler, the
   traceback). When the heap is over the limit, allow the overshoot plus 1 MB
   until the error is caught (every catching place clears it: clb_pcall and
   the guards in guards.c). */
static void grant_raise_grace(clb_runtime *rt) {
    if (rt->limit == 0) return;
    size_t total = rt->used + charged_bytes(rt);
    if (total + (1u << 20) > rt->limit)
        rt->grace = (total > rt->limit ? total - rt->limit : 0) + (1u << 20);
}

/* Raises the value on top of the stack; with `where`, prefixes the position of
   the calling Lua code to string messages, as luaL_error does. */
static int raise_top(lua_State *L, int where) {
    clb_runtime *rt = clb_runtime_of(L);
    rt->soft++; /* formatting the message must not itself fail */
    if (where && lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    rt->soft--;
    grant_raise_grace(rt);
    return lua_error(L);
}

static int raise_memory_limit(lua_State *L, clb_runtime *rt) {
    rt->limit_hit = 0;
    rt->overrun = 0;
    rt->soft++; /* the heap is full: pushing the message must not fail */
    if (rt->alloc_failed) {
        rt->alloc_failed = 0;
        refill_reserve(rt);
        lua_pushliteral(L, "not enough memory");
    } else {
        lua_pushfstring(L, "memory limit exceeded (%I MB)", (lua_Integer)(rt->limit >> 20));
    }
    rt->soft--;
    return raise_top(L, 1);
}

/* The Swift owner is in its deinit (a finalizer run by lua_close): its
   functions may not run any more. */
static int __attribute__((noinline, cold)) refuse_while_closing(lua_State *L) {
    lua_pushliteral(L, "ChurnLab functions are unavailable while the Lua state is being destroyed");
    return raise_top(L, 1);
}

/* Everything after a Swift call except the common case (n >= 0 results and no
   memory flag raised): the Swift function's error, an allocation failure or a
   memory-limit overrun. Out of line, so the hot path of every Lua → Swift call
   keeps fewer registers and branches (perf-guard's lua_call kernel). */
static int __attribute__((noinline)) after_swift_call(lua_State *L, clb_runtime *rt, int n) {
    /* The Swift frame has returned: raising is safe from here on. */
    if (n == CLB_RAISE || n == CLB_RAISE_WHERE) {
        /* A Swift function stopped by the token: stop the script promptly too. */
        if (clb_cancel_reason(rt)) trip(L);
        rt->overrun = 0;
        if (rt->alloc_failed) { rt->alloc_failed = 0; refill_reserve(rt); }
        return raise_top(L, n == CLB_RAISE_WHERE);
    }
    if (rt->soft == 0 && (rt->alloc_failed || (rt->limit > 0 &&
        (rt->overrun || (rt->limit_hit && rt->used + charged_bytes(rt) > rt->limit)))))
        return raise_memory_limit(L, rt);
    return n;
}

int clb_trampoline(lua_State *L) {
    clb_runtime *rt = clb_runtime_of(L);
    void *box = lua_touserdata(L, lua_upvalueindex(1));
    if (rt->closing) return refuse_while_closing(L);
    rt->soft++;
    int n = dispatcher(L, box);
    rt->soft--;
    /* One test for the rare cases: an error code is negative, and the memory
       flags are only ever set to 1 (limit_hit and overrun only with a limit). */
    if (n < 0 || (rt->alloc_failed | rt->overrun | rt->limit_hit)) return after_swift_call(L, rt, n);
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
    rt->soft = 0;
    rt->limit_hit = 0;
    rt->grace = 0;
    int status = lua_pcall(L, nargs, nresults, base);
    rt->soft = saved;
    /* Any error raised inside has been caught here: its grace is spent. */
    rt->grace = 0;
    if (traceback) lua_remove(L, base);
    return status;
}

/* ---- limits: instruction-count hook ------------------------------------ */

int clb_cancel_reason(const clb_runtime *rt) {
    if (rt->cancel_flag != NULL) {
        int32_t f = *(volatile int32_t *)rt->cancel_flag;
        if (f != 0) return f == 2 ? 2 : 1;
    }
    if (rt->deadline != NULL) {
        double d = *(volatile double *)rt->deadline;
        if (d > 0 && clb_monotonic() > d) return 2;
    }
    return 0;
}

static void hook(lua_State *L, lua_Debug *ar);

/* Once tripped, the hook fires on every instruction: a script that catches
   the error with pcall is stopped by the next instruction it runs outside
   that pcall, so nesting only delays the stop by one instruction per level. */
void clb__trip(lua_State *L) { lua_sethook(L, hook, LUA_MASKCOUNT, 1); }

void clb__hook_thread(lua_State *co, const clb_runtime *rt) {
    lua_sethook(co, hook, LUA_MASKCOUNT, clb_cancel_reason(rt) ? 1 : rt->hook_count);
}

/* Pushes the message for cancellation `reason` (no position). */
static void push_cancel_message(lua_State *L, const clb_runtime *rt, int reason) {
    if (reason == 2)
        lua_pushstring(L, rt->timeout_msg[0] ? rt->timeout_msg : "time limit exceeded");
    else
        lua_pushliteral(L, "interrupted");
}

static void hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clb_runtime *rt = clb_runtime_of(L);
    int reason = clb_cancel_reason(rt);
    if (reason == 0) {
        /* A thread tripped in an earlier call goes back to the normal rate. */
        if (lua_gethookcount(L) != rt->hook_count) lua_sethook(L, hook, LUA_MASKCOUNT, rt->hook_count);
        /* Grace is for raising a memory error; Lua code running again (even a
           message handler) is back under the plain limit. This also covers
           errors caught where no wrapper of ours sees them (load's reader). */
        rt->grace = 0;
        return;
    }
    trip(L);
    rt->soft++; /* formatting the message must not itself fail */
    luaL_where(L, 0); /* inside a hook, level 0 is the running Lua function */
    push_cancel_message(L, rt, reason);
    lua_concat(L, 2);
    rt->soft--;
    lua_error(L);
}

void clb_install_hook(lua_State *L) {
    clb_runtime *rt = clb_runtime_of(L);
    lua_sethook(L, hook, LUA_MASKCOUNT, rt->hook_count);
}

int clb_over_limit(lua_State *L) {
    clb_runtime *rt = clb_runtime_of(L);
    if (rt->alloc_failed) return 1;
    if (rt->limit == 0 || rt->used + charged_bytes(rt) <= rt->limit) return 0;
    rt->overrun = 1;
    return 1;
}

void clb_reset_grace(clb_runtime *rt) { rt->grace = 0; }

/* ---- userdata boxes -------------------------------------------------------- */

static clb_release_fn object_release = NULL;

void clb_set_object_release(clb_release_fn fn) { object_release = fn; }

/* __gc of a class whose metatable is registry[upvalue 1]. It touches the box
   only when the argument really is an object of this class: the function is
   reachable from Lua (debug.getmetatable(obj).__gc(io.stdout)), and any other
   userdata's block is not a Swift pointer. Written in C so finalizers run by
   lua_close never enter the (then deinitializing) Swift LuaState. */
static int object_gc(lua_State *L) {
    void *key = lua_touserdata(L, lua_upvalueindex(1));
    int same = 0;
    if (lua_type(L, 1) == LUA_TUSERDATA && lua_getmetatable(L, 1)) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, key);
        same = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
    }
    if (!same) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, key);
        lua_pushliteral(L, "__name");
        lua_rawget(L, -2);
        const char *name = lua_tostring(L, -1);
        return luaL_typeerror(L, 1, name ? name : "object");
    }
    void **box = (void **)lua_touserdata(L, 1);
    /* Swift clears word 0, returns the memory charge (words 1-2) and releases
       the object: exactly once, later calls see an empty box. */
    if (box[0] != NULL && object_release != NULL) object_release(box);
    return 0;
}

void clb_push_object_gc(lua_State *L, void *key) {
    lua_pushlightuserdata(L, key);
    lua_pushcclosure(L, object_gc, 1);
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
