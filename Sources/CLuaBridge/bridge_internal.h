/* Shared between bridge.c (allocator, trampoline, hook) and guards.c (the
   library functions replaced so the limits stay in force). Not public. */
#ifndef CLUABRIDGE_INTERNAL_H
#define CLUABRIDGE_INTERNAL_H

#include "CLuaBridge.h"

/* Makes the hook of thread L fire on every instruction (after a trip). */
void clb__trip(lua_State *L);
/* Gives a new thread the limit hook at the rate the token calls for:
   every instruction once cancelled, else every `hook_count`. */
void clb__hook_thread(lua_State *co, const clb_runtime *rt);

/* Closes a dead or suspended coroutine's pending to-be-closed variables,
   as lua_closethread (5.4.6+) / lua_resetthread (5.4.4) do; returns a status
   and leaves the error object (if any) on top of co. */
static inline int clb__closethread(lua_State *co, lua_State *from) {
#if LUA_VERSION_RELEASE_NUM >= 50406
    return lua_closethread(co, from);
#else
    (void)from;
    return lua_resetthread(co);
#endif
}

#endif
