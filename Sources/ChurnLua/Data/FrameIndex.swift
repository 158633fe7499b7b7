import CLua
import ChurnCore
import LuaRuntime

/// The naming rule for `df.name`, `df["name"]` and `df:name(...)`.
///
/// Lua cannot tell `df.row` from `df["row"]` (both are `__index(df, "row")`),
/// and `df:row(2)` is `df.row(df, 2)`. So the rule is:
///
/// - `df.name` and `df["name"]` are the **column** when the frame has a column
///   called `name`, otherwise the method (pandas' `df["x"]` is always the column).
/// - `df:name(...)` is always the **method**: a column that shares a method's
///   name is callable, and calling it with its frame as the first argument
///   (which is what `df:name(...)` does) runs the method.
/// - `df:column("name")` is always the column.
///
/// A key that is neither gets "no method or column 'x' in cl.Frame" with the
/// nearest names of both kinds.
enum FrameIndex {
    /// `__index(df, key)`.
    static func index(methodNames: Set<String>) -> LuaFunction {
        { c in
            let f = try c.frame(1)
            guard c.luaType(2) == LUA_TSTRING else {
                throw LuaScriptError("frames are indexed by column name (use df:row(i) for rows, df:slice(i, j) for a range)")
            }
            let name = try c.string(2)
            if let col = f.columnIfPresent(name) {
                return c.push(object: ColumnObject(col, shadowsMethod: methodNames.contains(name) ? name : nil))
            }
            if methodNames.contains(name), pushMethod(c, frameAt: 1, name) { return 1 }
            throw LuaScriptError(missing(name, frame: f, methods: methodNames))
        }
    }

    /// The message for a key that is neither a method nor a column.
    static func missing(_ name: String, frame f: Frame, methods: Set<String>) -> String {
        let methodsNear = methods.filter { m in
            let d = editDistance(m.lowercased(), name.lowercased())
            return d <= max(1, name.count / 3) || (name.count >= 3 && m.hasPrefix(name))
        }.sorted { editDistance($0, name) != editDistance($1, name) ? editDistance($0, name) < editDistance($1, name) : $0 < $1 }
        var near = methodsNear.prefix(2).map { "df:\($0)()" }
        near += f.nearMatches(name).prefix(3).map { "column '\($0)'" }
        var msg = "no method or column '\(name)' in cl.Frame"
        if !near.isEmpty { msg += "; did you mean " + near.joined(separator: " or ") + "?" }
        return msg
    }

    /// Pushes the frame class's method `name` (from its metatable's `__methods`); false if absent.
    static func pushMethod(_ c: LuaCall, frameAt i: Int32, _ name: String) -> Bool {
        let L = c.L
        guard lua_getmetatable(L, i) != 0 else { return false }
        c.state.push("__methods")
        lua_rawget(L, -2)
        guard lua_type(L, -1) == LUA_TTABLE else { lua_settop(L, -3); return false }
        c.state.push(name)
        lua_rawget(L, -2)
        guard lua_type(L, -1) == LUA_TFUNCTION else { lua_settop(L, -4); return false }
        lua_rotate(L, -3, 1)   // function below the metatable and methods table
        lua_settop(L, -3)
        return true
    }

    /// `__call(col, df, ...)` of a column that shares a method's name: `df:row(2)` → the method.
    static let callShadowed: LuaFunction = { c in
        let col = try c.object(1, ColumnObject.self)
        guard let method = col.shadowsMethod else {
            throw LuaScriptError("a cl.Column is not callable (column '\(col.column.name)')")
        }
        guard c.isObject(2, FrameObject.self) else {
            throw LuaScriptError("'\(method)' is column '\(method)' here; the frame method is df:\(method)(...)")
        }
        try c.reserve(4)
        guard pushMethod(c, frameAt: 2, method) else { throw LuaScriptError("cl.Frame has no method '\(method)'") }
        lua_copy(c.L, -1, 1)        // the method replaces the column
        lua_settop(c.L, -2)
        do {
            try c.pcall(nargs: c.count - 1, nresults: LUA_MULTRET)
        } catch let e as LuaError where e.kind == .runtime && !hasPosition(e.message) {
            // The method's own errors were placed at this C function; re-raise them at the script's line.
            throw LuaScriptError(e.message)
        }
        return c.count
    }

    /// Whether a message starts with a `chunk:line:` position.
    static func hasPosition(_ m: String) -> Bool {
        guard let colon = m.firstIndex(of: ":") else { return false }
        let rest = m[m.index(after: colon)...]
        guard let next = rest.firstIndex(of: ":") else { return false }
        let digits = rest[..<next]
        return !digits.isEmpty && digits.allSatisfy(\.isNumber) && !m[..<colon].contains(" ")
    }
}
