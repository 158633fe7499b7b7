#ifndef CLUABRIDGE_H
#define CLUABRIDGE_H
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#endif
