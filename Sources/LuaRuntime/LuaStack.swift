import CLua
import CLuaBridge

/// Non-raising stack primitives shared by `LuaState` (main thread) and
/// `LuaCall` (whatever thread called the Swift function). Nothing here runs a
/// metamethod; allocation cannot fail while Swift is in control (see CLuaBridge.h).
public enum LuaStack {
    @inline(__always)
    public static func string(_ L: LuaStatePointer, _ index: Int32) -> String? {
        let t = lua_type(L, index)
        guard t == LUA_TSTRING || t == LUA_TNUMBER else { return nil }
        var len = 0
        guard let p = clb_tostring(L, index, &len) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }

    @inline(__always)
    static func push(_ L: LuaStatePointer, _ s: String) {
        var s = s
        s.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { c in _ = lua_pushlstring(L, c.baseAddress, c.count) }
        }
    }

    /// Type name; for userdata with a metatable, its `__name` (read raw).
    static func typeName(_ L: LuaStatePointer, _ index: Int32) -> String {
        let t = lua_type(L, index)
        if t == LUA_TUSERDATA, lua_checkstack(L, 2) != 0, lua_getmetatable(L, index) != 0 {
            push(L, "__name")
            lua_rawget(L, -2)
            defer { lua_settop(L, -3) }
            if lua_type(L, -1) == LUA_TSTRING, let n = string(L, -1) { return n }
        }
        return String(cString: lua_typename(L, t))
    }

    public static func value(_ L: LuaStatePointer, _ index: Int32, depth: Int) -> LuaValue {
        let idx = lua_absindex(L, index)
        switch lua_type(L, idx) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .bool(lua_toboolean(L, idx) != 0)
        case LUA_TNUMBER:
            return clb_isinteger(L, idx) != 0 ? .integer(Int64(clb_tointeger(L, idx, nil))) : .number(clb_tonumber(L, idx, nil))
        case LUA_TSTRING: return .string(string(L, idx) ?? "")
        case LUA_TTABLE where depth > 0:
            guard lua_checkstack(L, 3) != 0 else { return .other(type: "table") }
            var pairs: [(key: LuaValue, value: LuaValue)] = []
            lua_pushnil(L)
            while lua_next(L, idx) != 0 {
                pairs.append((value(L, -2, depth: 0), value(L, -1, depth: depth - 1)))
                lua_settop(L, -2)
            }
            return .table(pairs)
        default: return .other(type: typeName(L, idx))
        }
    }

    /// The array part of the table at `index` (1…#t, raw) as Swift values.
    public static func arrayValues(_ L: LuaStatePointer, _ index: Int32, depth: Int = 0) -> [LuaValue] {
        let t = lua_absindex(L, index)
        let n = Int(lua_rawlen(L, t))
        guard lua_checkstack(L, 2) != 0 else { return [] }
        var out: [LuaValue] = []
        out.reserveCapacity(n)
        for i in 1...max(n, 1) where n > 0 {
            lua_rawgeti(L, t, lua_Integer(i))
            out.append(value(L, -1, depth: depth))
            lua_settop(L, -2)
        }
        return out
    }

    static func push(_ L: LuaStatePointer, _ v: LuaValue) {
        switch v {
        case .nil, .other: lua_pushnil(L)
        case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s): push(L, s)
        case .table(let kv):
            lua_createtable(L, 0, Int32(clamping: min(kv.count, LuaCall.memoryCheckInterval)))
            for (i, (k, val)) in kv.enumerated() {
                // Past the memory limit stop filling: the trampoline raises
                // "memory limit exceeded" once the Swift function returns.
                if i % LuaCall.memoryCheckInterval == 0 && clb_over_limit(L) != 0 { break }
                if case .nil = k { continue }
                if case .number(let d) = k, d.isNaN { continue }   // invalid keys would raise
                push(L, k); push(L, val); lua_rawset(L, -3)
            }
        }
    }
}
