/*
 * The sandbox's Lua-facing file functions, in C so that nothing a script can
 * reach takes part in enforcement: every helper they use is an upvalue captured
 * at install time (never a global or a library-table field looked up later),
 * and every file is opened by the Swift path authority, which hands back a
 * descriptor. The descriptor becomes a standard Lua file handle here (a
 * luaL_Stream with the LUA_FILEHANDLE metatable and our own close function),
 * so `f:read`, `f:write`, `f:lines`, `f:close` and `<close>` work as usual.
 *
 * Swift functions passed to clb_sandbox_install (in this order):
 *   open(handle, path, mode)          -> true | nil, message (attaches the fd)
 *   readfile(path)                    -> contents | nil, message
 *   searchpath(name, path [,sep,rep]) -> filename | nil, message
 *   remove(path), rename(from, to)    -> true | nil, message
 */
#include "CLuaBridge.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Close function of sandbox-made handles (what liolib's io_fclose does). */
static int stream_close(lua_State *L) {
    luaL_Stream *p = (luaL_Stream *)luaL_checkudata(L, 1, LUA_FILEHANDLE);
    int res = fclose(p->f);
    return luaL_fileresult(L, (res == 0), NULL);
}

/* liolib's l_checkmode: [rwa]%+?b* */
static int valid_mode(const char *mode) {
    if (*mode == '\0' || strchr("rwa", *mode) == NULL) return 0;
    mode++;
    if (*mode == '+') mode++;
    return strspn(mode, "b") == strlen(mode);
}

int clb_stream_attach(lua_State *L, int idx, int fd, const char *mode) {
    luaL_Stream *p = (luaL_Stream *)lua_touserdata(L, idx);
    if (p == NULL || lua_rawlen(L, idx) != sizeof(luaL_Stream) || p->closef != NULL || p->f != NULL) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    p->f = fdopen(fd, mode);
    if (p->f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    p->closef = stream_close;
    return 0;
}

/* io.open(path [, mode]). Upvalue 1: Swift open(handle, path, mode), which
   attaches the descriptor the authority opened to `handle` (clb_stream_attach)
   before returning, so the descriptor is owned by the handle from the start:
   whatever is raised afterwards, the handle's collection closes it. */
static int sb_open(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    const char *mode = luaL_optstring(L, 2, "r");
    luaL_argcheck(L, valid_mode(mode), 2, "invalid mode");
    luaL_Stream *p = (luaL_Stream *)lua_newuserdatauv(L, sizeof(luaL_Stream), 0);
    p->f = NULL;
    p->closef = NULL; /* a closed handle until the descriptor is attached */
    luaL_setmetatable(L, LUA_FILEHANDLE);
    int handle = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, handle);
    lua_pushstring(L, path);
    lua_pushstring(L, mode);
    lua_call(L, 3, 2);
    if (!lua_toboolean(L, -2)) {
        lua_pushnil(L);
        lua_pushvalue(L, -2);
        return 2; /* nil, message */
    }
    lua_settop(L, handle);
    return 1;
}

/* The iterator of io.lines(path): reads through file:lines, closes at the end.
   Upvalues: 1 = the file:lines iterator, 2 = the file, 3 = file:close. */
static int sb_lines_step(lua_State *L) {
    int base = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 0, LUA_MULTRET);
    int n = lua_gettop(L) - base;
    if (n > 0 && lua_toboolean(L, base + 1)) return n;
    lua_settop(L, base);
    lua_pushvalue(L, lua_upvalueindex(3));
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_call(L, 1, 0);
    return 0;
}

/* io.lines([path, ...]). Upvalues: 1 = sb_open, 2 = the original io.lines (for
   the default input only), 3 = file:lines, 4 = file:close. */
static int sb_lines(lua_State *L) {
    if (lua_isnoneornil(L, 1)) {
        int n = lua_gettop(L);
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_insert(L, 1);
        lua_call(L, n, LUA_MULTRET);
        return lua_gettop(L);
    }
    const char *path = luaL_checkstring(L, 1);
    int nfmt = lua_gettop(L) - 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushstring(L, path);
    lua_pushliteral(L, "r");
    lua_call(L, 2, 2);
    if (lua_isnil(L, -2)) return luaL_error(L, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    int file = lua_gettop(L);
    luaL_checkstack(L, nfmt + 8, "too many arguments");
    lua_pushvalue(L, lua_upvalueindex(3));
    lua_pushvalue(L, file);
    for (int i = 2; i <= nfmt + 1; i++) lua_pushvalue(L, i);
    lua_call(L, 1 + nfmt, 1);
    lua_pushvalue(L, file);
    lua_pushvalue(L, lua_upvalueindex(4));
    lua_pushcclosure(L, sb_lines_step, 3);
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushvalue(L, file); /* to-be-closed value, as io.lines returns */
    return 4;
}

/* io.input / io.output. Upvalues: 1 = sb_open, 2 = the original function,
   3 = the mode for a file name ("r" or "w"). A name (string or number, as
   liolib accepts) is opened through the authority; handles pass through. */
static int sb_iofile(lua_State *L) {
    if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) {
        const char *path = lua_tostring(L, 1);
        lua_pushvalue(L, lua_upvalueindex(1));
        lua_pushstring(L, path);
        lua_pushvalue(L, lua_upvalueindex(3));
        lua_call(L, 2, 2);
        if (lua_isnil(L, -2)) return luaL_error(L, "cannot open file '%s' (%s)", path, lua_tostring(L, -1));
        lua_pop(L, 1);
        lua_replace(L, 1);
        lua_settop(L, 1);
    }
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* loadfile(path [, mode [, env]]): text chunks only. Upvalue 1: Swift readfile. */
static int sb_loadfile(lua_State *L) {
    const char *path = luaL_optstring(L, 1, NULL);
    int env = !lua_isnone(L, 3) ? 3 : 0;
    if (path == NULL) {
        lua_pushnil(L);
        lua_pushliteral(L, "sandbox: loadfile needs a path (standard input is not available)");
        return 2;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushstring(L, path);
    lua_call(L, 1, 2);
    if (lua_type(L, -2) != LUA_TSTRING) {
        lua_pushnil(L);
        lua_pushvalue(L, -2);
        return 2;
    }
    size_t len;
    const char *s = lua_tolstring(L, -2, &len);
    /* Skip a UTF-8 BOM and a first line starting with '#' (keeping its newline
       so line numbers stay right), as luaL_loadfilex does. */
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) { s += 3; len -= 3; }
    if (len > 0 && s[0] == '#') {
        const char *nl = memchr(s, '\n', len);
        if (nl == NULL) { s += len; len = 0; }
        else { len -= (size_t)(nl - s); s = nl; }
    }
    lua_pushfstring(L, "@%s", path);
    int status = luaL_loadbufferx(L, s, len, lua_tostring(L, -1), "t");
    if (status != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
}

/* dofile(path). Upvalue 1: sb_loadfile. */
static int sb_dofile(lua_State *L) {
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_call(L, 1, 2);
    if (lua_isnil(L, -2)) return lua_error(L);
    lua_pop(L, 1);
    lua_call(L, 0, LUA_MULTRET);
    return lua_gettop(L) - 1;
}

/* load(chunk [, name [, mode [, env]]]) with mode forced to "t". Upvalue 1:
   the original load. Keeps an absent env absent (load treats nil and none differently). */
static int sb_load(lua_State *L) {
    int n = lua_gettop(L);
    if (n < 3) { lua_settop(L, 2); lua_pushliteral(L, "t"); n = 3; }
    else { lua_pushliteral(L, "t"); lua_replace(L, 3); }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* The Lua-module searcher of require. Upvalues: 1 = the package table (for the
   user-settable package.path), 2 = Swift searchpath, 3 = sb_loadfile. */
static int sb_searcher(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    lua_pushliteral(L, "path");
    lua_rawget(L, lua_upvalueindex(1));
    if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "'package.path' must be a string");
    int pathidx = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushstring(L, name);
    lua_pushvalue(L, pathidx);
    lua_call(L, 2, 2);
    if (lua_isnil(L, -2)) return 1; /* the "no file ..." message */
    lua_pop(L, 1);
    int file = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(3));
    lua_pushvalue(L, file);
    lua_call(L, 1, 2);
    if (lua_isnil(L, -2))
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, lua_tostring(L, file), lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_pushvalue(L, file);
    return 2;
}

static void set_field(lua_State *L, int table, const char *key) {
    lua_setfield(L, table, key);
}

static void clear_field(lua_State *L, int table, const char *key) {
    lua_pushnil(L);
    lua_setfield(L, table, key);
}

/* Runs under clb_pcall with the five Swift functions as arguments 1..5. */
static int install_k(lua_State *L) {
    enum { OPEN = 1, READFILE, SEARCHPATH, REMOVE, RENAME };
    lua_settop(L, 5);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    int G = lua_gettop(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    int loaded = lua_gettop(L);
    lua_getfield(L, loaded, LUA_IOLIBNAME);
    int io = lua_gettop(L);
    lua_getfield(L, loaded, LUA_OSLIBNAME);
    int os = lua_gettop(L);
    lua_getfield(L, loaded, LUA_LOADLIBNAME);
    int package = lua_gettop(L);
    lua_getfield(L, loaded, LUA_STRLIBNAME);
    int string = lua_gettop(L);
    luaL_getmetatable(L, LUA_FILEHANDLE);
    lua_getfield(L, -1, "__index");
    int methods = lua_gettop(L);
    if (!lua_istable(L, io) || !lua_istable(L, os) || !lua_istable(L, package) || !lua_istable(L, string) || !lua_istable(L, methods))
        return luaL_error(L, "sandbox: standard libraries missing");

    /* Process, native code, debug access, temporary files outside the roots. */
    clear_field(L, os, "execute");
    clear_field(L, os, "exit");
    clear_field(L, os, "tmpname");
    clear_field(L, os, "getenv");
    clear_field(L, io, "popen");
    clear_field(L, io, "tmpfile");
    clear_field(L, package, "loadlib");
    lua_pushliteral(L, "");
    set_field(L, package, "cpath");
    clear_field(L, G, "debug");
    clear_field(L, loaded, LUA_DBLIBNAME);
    clear_field(L, string, "dump");

    /* io.open */
    lua_pushvalue(L, OPEN);
    lua_pushcclosure(L, sb_open, 1);
    int open = lua_gettop(L);
    lua_pushvalue(L, open);
    set_field(L, io, "open");

    /* io.lines */
    lua_pushvalue(L, open);
    lua_getfield(L, io, "lines");
    lua_getfield(L, methods, "lines");
    lua_getfield(L, methods, "close");
    lua_pushcclosure(L, sb_lines, 4);
    set_field(L, io, "lines");

    /* io.input, io.output */
    lua_pushvalue(L, open);
    lua_getfield(L, io, "input");
    lua_pushliteral(L, "r");
    lua_pushcclosure(L, sb_iofile, 3);
    set_field(L, io, "input");
    lua_pushvalue(L, open);
    lua_getfield(L, io, "output");
    lua_pushliteral(L, "w");
    lua_pushcclosure(L, sb_iofile, 3);
    set_field(L, io, "output");

    /* os.remove, os.rename */
    lua_pushvalue(L, REMOVE);
    set_field(L, os, "remove");
    lua_pushvalue(L, RENAME);
    set_field(L, os, "rename");

    /* load, loadfile, dofile */
    lua_getfield(L, G, "load");
    lua_pushcclosure(L, sb_load, 1);
    set_field(L, G, "load");
    lua_pushvalue(L, READFILE);
    lua_pushcclosure(L, sb_loadfile, 1);
    int loadfile = lua_gettop(L);
    lua_pushvalue(L, loadfile);
    set_field(L, G, "loadfile");
    lua_pushvalue(L, loadfile);
    lua_pushcclosure(L, sb_dofile, 1);
    set_field(L, G, "dofile");

    /* package.searchpath and the searchers: preload, then Lua files through the authority. */
    lua_pushvalue(L, SEARCHPATH);
    set_field(L, package, "searchpath");
    lua_createtable(L, 2, 0);
    lua_getfield(L, package, "searchers");
    lua_rawgeti(L, -1, 1);
    lua_rawseti(L, -3, 1);
    lua_pop(L, 1);
    lua_pushvalue(L, package);
    lua_pushvalue(L, SEARCHPATH);
    lua_pushvalue(L, loadfile);
    lua_pushcclosure(L, sb_searcher, 3);
    lua_rawseti(L, -2, 2);
    set_field(L, package, "searchers");
    return 0;
}

int clb_sandbox_install(lua_State *L) {
    /* The five Swift functions are on the stack; run install_k on them. */
    lua_pushcfunction(L, install_k);
    lua_insert(L, -6);
    return clb_pcall(L, 5, 0, 0);
}
