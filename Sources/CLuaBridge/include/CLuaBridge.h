/*
 * CLuaBridge — the only C in ChurnLab's Lua runtime, and the only code that
 * raises Lua errors.
 *
 * Lua reports errors with longjmp. A longjmp across a Swift frame skips Swift's
 * cleanup (releases, defers, unlocks), so Swift never calls anything that may
 * raise. Swift functions exposed to Lua run under `clb_trampoline`: they return
 * a status, and the trampoline raises *after* the Swift frame has returned.
 *
 * Memory limits follow the same rule: the allocator refuses memory (making Lua
 * raise LUA_ERRMEM) only while Lua code runs inside a protected call started
 * by `clb_pcall`. While Swift code operates on the state ("soft" mode) the
 * allocator never refuses, and an overrun is reported once control is back in
 * Lua, as a "memory limit exceeded" error raised by the trampoline. Swift
 * code that pushes many values checks `clb_over_limit` as it goes, and a real
 * allocation failure while Swift holds the state is survived (an emergency
 * reserve is given back) and reported the same way.
 *
 * Time limits and interrupts: the hook reads the state's cancellation token
 * (owned by Swift's ExecutionContext) through plain pointers; guards.c keeps
 * the hook armed where Lua would run script code without it.
 */
#ifndef CLUABRIDGE_H
#define CLUABRIDGE_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Two declarations below are marked non-null (the call path); the rest leave
   nullability unannotated, as lua.h does. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wnullability-completeness"

/* Per-state runtime bookkeeping, owned by the Swift LuaState.
 *
 * Cancellation is not stored here: the hook reads the state's
 * ExecutionContext token through `cancel_flag` and `deadline` (memory owned by
 * the Swift CancellationToken), so a signal handler, the kernel's control
 * thread, the watchdog and the numeric core all share one stop signal, and the
 * hook never calls into Swift. */
typedef struct clb_runtime {
    size_t used;            /* bytes currently allocated by Lua */
    size_t peak;            /* high-water mark */
    size_t limit;           /* 0 = unlimited; the limit for Lua heap + budget charges */
    int soft;               /* > 0: Swift is in control; never refuse memory */
    int limit_hit;          /* set when an allocation went over the limit */
    int overrun;            /* sticky: Swift code stopped early because the limit was hit */
    size_t grace;           /* extra bytes allowed while an error is being raised */
    int32_t *cancel_flag;   /* token flag: 0 running, 1 interrupted, 2 time limit */
    double *deadline;       /* token deadline (monotonic seconds); 0 = none */
    const intptr_t *budget_charged; /* Swift-side charges counted against `limit` */
    char timeout_msg[64];   /* "time limit exceeded (3 s)", formatted by Swift */
    int hook_count;         /* instructions between hook checks */
    int closing;            /* the Swift owner is being destroyed: refuse Swift calls */
    int closing_phase;      /* inside lua_close: a failed allocation may fail */
    int alloc_failed;       /* sticky: a real allocation failed while Swift held the state */
    void *reserve;          /* emergency memory given back on a real allocation failure */
    size_t debug_fail_size; /* tests: simulate one failed allocation of at least this size */
    char close_error[160];  /* the first error of a script finalizer run by lua_close */
    int object_error;       /* a Swift call pushed an object over the memory limit: its error
                               waits in LuaObjectMemory (checked by the dispatcher after the call) */
} clb_runtime;

/* Return value of a Swift callback: >= 0 is the number of results; these ask
   the trampoline to raise the value on top of the stack. */
#define CLB_RAISE (-1)          /* raise the value as is */
#define CLB_RAISE_WHERE (-2)    /* prefix "chunk:line:" like luaL_error */

/* Swift's dispatcher: runs the Swift function `box` for the call on L. */
/* Non-null pointers, so Swift's side of every call checks nothing. */
#pragma clang assume_nonnull begin
typedef int (*clb_dispatch_fn)(lua_State *L, void *box);
#pragma clang assume_nonnull end
void clb_set_dispatcher(clb_dispatch_fn fn);

/* State lifecycle. */
lua_State *clb_newstate(clb_runtime *rt);
/* The runtime of L. Kept in Lua's per-thread extra space (set by clb_newstate;
   lua_newthread copies it to every coroutine), so reading it on the call path
   is one load instead of a call into liblua (lua_getallocf). */
#pragma clang assume_nonnull begin
static inline clb_runtime *clb_runtime_of(lua_State *L) { return *(clb_runtime **)lua_getextraspace(L); }
#pragma clang assume_nonnull end
void clb_close(lua_State *L);

/* Opens the standard libraries inside a protected call; returns a Lua status. */
int clb_openlibs(lua_State *L);

/* Pushes a Lua function that calls the Swift function `box` through the trampoline. */
void clb_push_swift_function(lua_State *L, void *box);

/* Protected call of the function below `nargs` arguments. With `traceback`,
   the error message gets a stack traceback appended ("\nstack traceback:\n...").
   Runs Lua with memory limits enforced. Returns a Lua status (LUA_OK, ...). */
int clb_pcall(lua_State *L, int nargs, int nresults, int traceback);

/* Limits. The hook checks the token every `hook_count` instructions (and on
   every instruction once it has tripped). */
void clb_install_hook(lua_State *L);
double clb_monotonic(void);
/* 0 = keep running; else 1 (interrupted) or 2 (time limit): the token's
   reason, with a passed deadline counted as a time limit. */
int clb_cancel_reason(const clb_runtime *rt);
/* True when the Lua heap plus budget charges are over the limit. Marks the
   overrun as sticky so the trampoline raises "memory limit exceeded" after the
   Swift function returns, even if a GC step frees memory meanwhile. For Swift
   code that pushes many values: check every few thousand and stop early. */
int clb_over_limit(lua_State *L);
/* Clears the grace allowance given for raising a memory error (once the
   error has been caught, the script is back under the plain limit). */
void clb_reset_grace(clb_runtime *rt);

/* Replaces pcall, xpcall, setmetatable, coroutine.create/wrap/resume and
   debug.setmetatable with versions that keep the limit hook armed in message
   handlers, finalizers and coroutines, and clear the memory grace once an
   error is caught (see guards.c). Returns a Lua status. */
int clb_install_guards(lua_State *L);

/* Sandbox (sandbox_io.c): with five Swift functions pushed (open, loadfile,
   searchpath, remove, rename), removes process/native/debug access and installs
   io.open, io.lines, io.input, io.output, os.remove, os.rename, load, loadfile,
   dofile, package.searchpath and the require searchers, all as C closures over
   those functions. Pops them; returns a Lua status. */
int clb_sandbox_install(lua_State *L);
/* Gives descriptor `fd` to the closed file handle at `idx` (made by the
   sandbox's io.open) as a stream opened with `mode`. Non-raising; on failure
   closes `fd` and returns -1 with errno set. */
int clb_stream_attach(lua_State *L, int idx, int fd, const char *mode);

/* OS confinement (sandbox_os.c, Linux). Each returns >= 0 on success or a
   negated errno. `clb_landlock_abi`: the kernel's Landlock ABI version. A
   ruleset handles every filesystem right of `abi`; rules grant CLB_LL_READ
   (read files, list directories) and/or CLB_LL_WRITE (write, create, remove,
   rename, truncate) below a path — never execute. From ABI 4 TCP bind/connect
   are handled too, with no rule: denied. */
#define CLB_LL_READ 1
#define CLB_LL_WRITE 2
int clb_landlock_abi(void);
int clb_no_new_privs(void);
int clb_landlock_ruleset(int abi);
int clb_landlock_allow(int ruleset, const char *path, int rights, int abi);
int clb_landlock_enforce(int ruleset);

/* Userdata boxes holding one Swift object pointer (word 0), then the memory
   budget it is charged to and the bytes charged (words 1-2, see LuaObject.swift).
   All words start as NULL / 0. */
#define CLB_BOX_WORDS 3
void **clb_new_box(lua_State *L);
/* A full collection (lua_gc is variadic, which Swift cannot call). Does not
   raise: finalizer errors become warnings in Lua 5.4. */
static inline void clb_full_gc(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
/* Lets go of the object in a box whose word 0 is set (set once by Swift):
   clears the box, returns its memory charge, releases the object. */
typedef void (*clb_release_fn)(void **box);
void clb_set_object_release(clb_release_fn fn);
/* Pushes the __gc for the class whose metatable is registry[key] (rawgetp):
   checks the metatable's identity, then clears the box and releases the
   object exactly once. */
void clb_push_object_gc(lua_State *L, void *key);

/* Pops a methods table and a fallback function and pushes an __index function
   that looks in the table first, then calls fallback(obj, key). */
void clb_push_index_with_fallback(lua_State *L);

/* O_PATH (Linux; glibc hides it without _GNU_SOURCE): open a directory only
   as a place to resolve names from, for the sandbox's path authority. */
#ifdef __linux__
static inline int clb_o_path(void) { return 010000000; }
#else
static inline int clb_o_path(void) { return 0; }
#endif

/* Macro replacements (Swift cannot import function-like macros). */
static inline int clb_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int clb_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline void clb_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void clb_newtable(lua_State *L) { lua_newtable(L); }
static inline void clb_insert(lua_State *L, int idx) { lua_insert(L, idx); }
static inline void clb_remove(lua_State *L, int idx) { lua_remove(L, idx); }
static inline void clb_replace(lua_State *L, int idx) { lua_replace(L, idx); }
static inline const char *clb_tostring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
static inline lua_Number clb_tonumber(lua_State *L, int idx, int *isnum) { return lua_tonumberx(L, idx, isnum); }
static inline lua_Integer clb_tointeger(lua_State *L, int idx, int *isnum) { return lua_tointegerx(L, idx, isnum); }
static inline int clb_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }
static inline void clb_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }

/* Benchmark baseline: a plain C function, `x + 1`. */
int clb_bench_c_add1(lua_State *L);

#pragma clang diagnostic pop

#endif
