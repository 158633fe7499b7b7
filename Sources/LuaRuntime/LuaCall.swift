import CLua
import CLuaBridge
import ExecutionControl

/// The arguments and results of one call from Lua into a Swift function.
/// Argument checks throw `LuaArgumentError`, which becomes Lua's
/// `bad argument #N to 'name' (number expected, got string)`.
///
/// The accessors every binding uses on every call (argument count and types,
/// numbers, pushing scalars) are `@inlinable`: the bindings live in other
/// modules, and a cross-module call per argument and result was a measurable
/// share of the Lua → Swift call overhead (issue 19, scripts/perf-guard lua_call).
public struct LuaCall {
    public let L: LuaStatePointer
    /// Unowned(unsafe): the LuaState owns every box for its whole life, and a
    /// LuaCall never outlives the call it describes.
    unowned(unsafe) let box: FunctionBox

    init(L: LuaStatePointer, box: FunctionBox) { self.L = L; self.box = box }

    public var state: LuaState { box.state }
    /// The Lua-visible function name, for messages.
    public var functionName: String { box.name }
    /// Number of arguments.
    @inlinable public var count: Int32 { lua_gettop(L) }

    // MARK: inspecting arguments

    @inlinable public func isNoneOrNil(_ i: Int32) -> Bool { lua_type(L, i) <= LUA_TNIL }
    @inlinable public func luaType(_ i: Int32) -> Int32 { lua_type(L, i) }
    public func typeName(_ i: Int32) -> String { lua_type(L, i) == LUA_TNONE ? "no value" : LuaStack.typeName(L, i) }

    @usableFromInline func expected(_ what: String, _ i: Int32) -> LuaArgumentError {
        LuaArgumentError(i, "\(what) expected, got \(typeName(i))")
    }

    // MARK: required arguments

    @inlinable
    public func number(_ i: Int32) throws -> Double {
        guard lua_type(L, i) == LUA_TNUMBER else { throw expected("number", i) }
        return clb_tonumber(L, i, nil)
    }

    /// An integer; floats with an exact integer value are accepted, like Lua does.
    @inlinable
    public func integer(_ i: Int32) throws -> Int {
        guard lua_type(L, i) == LUA_TNUMBER else { throw expected("number", i) }
        var ok: Int32 = 0
        let v = clb_tointeger(L, i, &ok)
        guard ok != 0 else { throw LuaArgumentError(i, "number has no integer representation") }
        return Int(v)
    }

    /// A string (numbers are not converted: a number where text is expected is a mistake).
    public func string(_ i: Int32) throws -> String {
        guard lua_type(L, i) == LUA_TSTRING, let s = LuaStack.string(L, i) else { throw expected("string", i) }
        return s
    }

    @inlinable
    public func bool(_ i: Int32) throws -> Bool {
        guard lua_type(L, i) == LUA_TBOOLEAN else { throw expected("boolean", i) }
        return lua_toboolean(L, i) != 0
    }

    public func table(_ i: Int32) throws -> LuaTable {
        guard lua_type(L, i) == LUA_TTABLE else { throw expected("table", i) }
        return LuaTable(L: L, index: lua_absindex(L, i), argument: i, path: "")
    }

    public func checkFunction(_ i: Int32) throws {
        guard lua_type(L, i) == LUA_TFUNCTION else { throw expected("function", i) }
    }

    public func value(_ i: Int32, depth: Int = 1) -> LuaValue { LuaStack.value(L, i, depth: depth) }

    // MARK: optional arguments (absent or nil → nil)

    public func optNumber(_ i: Int32) throws -> Double? { isNoneOrNil(i) ? nil : try number(i) }
    public func optInteger(_ i: Int32) throws -> Int? { isNoneOrNil(i) ? nil : try integer(i) }
    public func optString(_ i: Int32) throws -> String? { isNoneOrNil(i) ? nil : try string(i) }
    public func optBool(_ i: Int32) throws -> Bool? { isNoneOrNil(i) ? nil : try bool(i) }
    /// An option table; absent or nil gives an empty one.
    public func options(_ i: Int32) throws -> LuaTable {
        if isNoneOrNil(i) { return LuaTable(L: L, index: 0, argument: i, path: "") }
        return try table(i)
    }

    // MARK: results

    /// Makes room for `n` results; throws when the Lua stack cannot grow.
    public func reserve(_ n: Int32) throws {
        guard lua_checkstack(L, n) != 0 else { throw LuaScriptError("stack overflow (too many results)") }
    }

    @inlinable @discardableResult public func pushNil() -> Int32 { lua_pushnil(L); return 1 }
    @inlinable @discardableResult public func push(_ d: Double) -> Int32 { lua_pushnumber(L, d); return 1 }
    @inlinable @discardableResult public func push(_ i: Int) -> Int32 { lua_pushinteger(L, lua_Integer(i)); return 1 }
    @inlinable @discardableResult public func push(_ b: Bool) -> Int32 { lua_pushboolean(L, b ? 1 : 0); return 1 }
    @discardableResult public func push(_ s: String) -> Int32 { LuaStack.push(L, s); return 1 }
    @discardableResult public func push(_ v: LuaValue) -> Int32 { LuaStack.push(L, v); return 1 }
    /// Pushes `s`, or nil.
    @discardableResult public func push(_ s: String?) -> Int32 { if let s { LuaStack.push(L, s) } else { lua_pushnil(L) }; return 1 }
    /// Pushes `d`, or nil.
    @discardableResult public func push(_ d: Double?) -> Int32 { if let d { lua_pushnumber(L, d) } else { lua_pushnil(L) }; return 1 }

    // MARK: memory

    /// Values pushed between two memory checks in loops that fill tables.
    public static let memoryCheckInterval = 4096

    /// Throws once the Lua heap plus the Swift-side charges are over the
    /// memory limit (or a real allocation failed). While a Swift function
    /// runs, the allocator never refuses memory (a refusal would raise through
    /// the Swift frame), so code that pushes many values calls this every
    /// `memoryCheckInterval` values: the heap stops near the limit instead of
    /// growing to the full result first.
    public func checkMemory() throws {
        guard clb_over_limit(L) != 0 else { return }
        let rt = clb_runtime_of(L)
        if rt.pointee.alloc_failed != 0 { throw LuaScriptError("not enough memory") }
        throw MemoryLimitError(limitBytes: Int(rt.pointee.limit), what: "")
    }

    /// True (every `memoryCheckInterval`-th `i`) when a filling loop must stop:
    /// the trampoline then raises the memory error after the Swift frame.
    @inline(__always) public func mustStopFilling(_ i: Int) -> Bool {
        i % LuaCall.memoryCheckInterval == 0 && isOverMemoryLimit
    }

    /// True when the heap plus charges are over the limit (marks the overrun
    /// so the trampoline raises after the Swift frame, even if a GC step
    /// frees memory meanwhile).
    public var isOverMemoryLimit: Bool { clb_over_limit(L) != 0 }

    /// The array size to preallocate for `count` values: all of them when
    /// that fits under the memory limit (16 bytes a slot), else what fits,
    /// so the preallocation itself cannot jump far past the limit.
    public func arrayPresize(_ count: Int) -> Int32 {
        let rt = clb_runtime_of(L).pointee
        guard rt.limit > 0 else { return Int32(clamping: count) }
        let held = Int(rt.used) + Int(rt.budget_charged?.pointee ?? 0)
        let room = max(0, Int(rt.limit) - held) / 16
        return Int32(clamping: min(count, room))
    }

    /// Pushes a Lua array of numbers (1-based). Stops early at the memory
    /// limit (the call then fails with "memory limit exceeded").
    @discardableResult public func pushArray(_ xs: [Double]) -> Int32 {
        lua_createtable(L, arrayPresize(xs.count), 0)
        for (i, x) in xs.enumerated() {
            if mustStopFilling(i) { break }
            lua_pushnumber(L, x); lua_rawseti(L, -2, lua_Integer(i + 1))
        }
        return 1
    }

    /// Pushes a Lua array of strings (1-based); stops early at the memory limit.
    @discardableResult public func pushArray(_ xs: [String]) -> Int32 {
        lua_createtable(L, arrayPresize(xs.count), 0)
        for (i, x) in xs.enumerated() {
            if mustStopFilling(i) { break }
            LuaStack.push(L, x); lua_rawseti(L, -2, lua_Integer(i + 1))
        }
        return 1
    }

    /// Pushes a new table and returns a writer for it.
    public func newTable(array: Int = 0, record: Int = 0) -> LuaTableWriter {
        lua_createtable(L, arrayPresize(array), Int32(clamping: record))
        return LuaTableWriter(L: L, index: lua_absindex(L, -1))
    }

    // MARK: calling back into Lua

    /// Compiles `code` on this call's thread and pushes the chunk.
    public func load(_ code: String, name: String) throws {
        var code = code
        let status: Int32 = code.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { luaL_loadbufferx(L, $0.baseAddress, $0.count, name, "t") }
        }
        if status != LUA_OK {
            let msg = LuaStack.string(L, -1) ?? "cannot load \(name)"
            lua_settop(L, -2)
            throw LuaScriptError(msg)
        }
    }

    /// Calls the function below `nargs` pushed arguments in protected mode.
    /// A Lua error comes back as a thrown `LuaError`, which the dispatcher
    /// re-raises unchanged once this Swift frame has returned.
    public func pcall(nargs: Int32, nresults: Int32) throws {
        try state.checkThread()
        let status = clb_pcall(L, nargs, nresults, 0)
        if status != LUA_OK {
            let msg = LuaStack.string(L, -1) ?? "(error object is a \(LuaStack.typeName(L, -1)) value)"
            lua_settop(L, -2)
            throw LuaError(kind: status == LUA_ERRMEM ? .memory : .runtime, message: msg)
        }
    }
}

/// Read access to a Lua table given as an argument (raw gets: no metamethods).
/// Errors name the argument and the field, e.g.
/// `bad argument #2 to 'fit' (field 'target': string expected, got number)`.
public struct LuaTable {
    public let L: LuaStatePointer
    /// Absolute stack index; 0 = absent (an empty option table).
    let index: Int32
    let argument: Int32
    let path: String

    public var isPresent: Bool { index != 0 }

    func err(_ key: String, _ msg: String) -> LuaArgumentError {
        LuaArgumentError(argument, "field '\(path)\(key)': \(msg)")
    }

    /// Pushes t[key] (raw) and returns its type; caller pops.
    @inline(__always) func get(_ key: String) -> Int32 {
        _ = lua_checkstack(L, 4)
        guard index != 0 else { lua_pushnil(L); return LUA_TNIL }
        LuaStack.push(L, key)
        return lua_rawget(L, index)
    }

    @inline(__always) func get(_ i: Int) -> Int32 {
        _ = lua_checkstack(L, 4)
        guard index != 0 else { lua_pushnil(L); return LUA_TNIL }
        return lua_rawgeti(L, index, lua_Integer(i))
    }

    private func typeName(at idx: Int32) -> String { LuaStack.typeName(L, idx) }

    public func has(_ key: String) -> Bool { defer { lua_settop(L, -2) }; return get(key) != LUA_TNIL }

    /// t[key] as any number (NaN and ±inf included): for data values. Options
    /// are read with their documented range: `number(_:in:)` (LuaOptionRanges.swift).
    public func number(_ key: String) throws -> Double? {
        let t = get(key); defer { lua_settop(L, -2) }
        if t == LUA_TNIL { return nil }
        guard t == LUA_TNUMBER else { throw err(key, "number expected, got \(typeName(at: -1))") }
        return clb_tonumber(L, -1, nil)
    }

    /// t[key] as any integer: for data values. Options are read with their
    /// documented range: `integer(_:in:)` (LuaOptionRanges.swift).
    public func integer(_ key: String) throws -> Int? {
        let t = get(key); defer { lua_settop(L, -2) }
        if t == LUA_TNIL { return nil }
        guard t == LUA_TNUMBER else { throw err(key, "number expected, got \(typeName(at: -1))") }
        var ok: Int32 = 0
        let v = clb_tointeger(L, -1, &ok)
        guard ok != 0 else { throw err(key, "number has no integer representation") }
        return Int(v)
    }

    public func string(_ key: String) throws -> String? {
        let t = get(key); defer { lua_settop(L, -2) }
        if t == LUA_TNIL { return nil }
        guard t == LUA_TSTRING else { throw err(key, "string expected, got \(typeName(at: -1))") }
        return LuaStack.string(L, -1)
    }

    public func bool(_ key: String) throws -> Bool? {
        let t = get(key); defer { lua_settop(L, -2) }
        if t == LUA_TNIL { return nil }
        guard t == LUA_TBOOLEAN else { throw err(key, "boolean expected, got \(typeName(at: -1))") }
        return lua_toboolean(L, -1) != 0
    }

    /// A Swift value copy of t[key] (`depth` levels of tables).
    public func value(_ key: String, depth: Int = 2) -> LuaValue {
        _ = get(key); defer { lua_settop(L, -2) }
        return LuaStack.value(L, -1, depth: depth)
    }

    /// A nested table field; nil when absent. The nested table stays on the
    /// Lua stack until the current Swift function returns.
    public func table(_ key: String) throws -> LuaTable? {
        let t = get(key)
        if t == LUA_TNIL { lua_settop(L, -2); return nil }
        guard t == LUA_TTABLE else {
            defer { lua_settop(L, -2) }
            throw err(key, "table expected, got \(typeName(at: -1))")
        }
        return LuaTable(L: L, index: lua_absindex(L, -1), argument: argument, path: path + key + ".")
    }

    /// A field that may be a single string or an array of strings.
    public func strings(_ key: String) throws -> [String]? {
        let t = get(key)
        if t == LUA_TNIL { lua_settop(L, -2); return nil }
        if t == LUA_TSTRING { defer { lua_settop(L, -2) }; return [LuaStack.string(L, -1)!] }
        guard t == LUA_TTABLE else {
            defer { lua_settop(L, -2) }
            throw err(key, "string or array of strings expected, got \(typeName(at: -1))")
        }
        defer { lua_settop(L, -2) }
        let sub = LuaTable(L: L, index: lua_absindex(L, -1), argument: argument, path: path + key)
        return try sub.arrayOfStrings()
    }

    // MARK: array part

    /// `#t` without metamethods.
    public var length: Int { index == 0 ? 0 : Int(lua_rawlen(L, index)) }

    public func arrayOfNumbers() throws -> [Double] {
        let n = length
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let t = get(i + 1)
            defer { lua_settop(L, -2) }
            guard t == LUA_TNUMBER else {
                throw LuaArgumentError(argument, "\(path.isEmpty ? "" : "field '\(path)': ")element \(i + 1) must be a number, got \(typeName(at: -1))")
            }
            out[i] = clb_tonumber(L, -1, nil)
        }
        return out
    }

    public func arrayOfStrings() throws -> [String] {
        let n = length
        var out: [String] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let t = get(i + 1)
            defer { lua_settop(L, -2) }
            guard t == LUA_TSTRING else {
                throw LuaArgumentError(argument, "\(path.isEmpty ? "" : "field '\(path)': ")element \(i + 1) must be a string, got \(typeName(at: -1))")
            }
            out.append(LuaStack.string(L, -1)!)
        }
        return out
    }

    /// Array elements copied as Swift values.
    public func arrayValues(depth: Int = 1) -> [LuaValue] {
        (0..<length).map { i in _ = get(i + 1); defer { lua_settop(L, -2) }; return LuaStack.value(L, -1, depth: depth) }
    }

    /// String keys of the table (any order).
    public var stringKeys: [String] {
        guard index != 0, lua_checkstack(L, 3) != 0 else { return [] }
        var keys: [String] = []
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            if lua_type(L, -2) == LUA_TSTRING, let k = LuaStack.string(L, -2) { keys.append(k) }
            lua_settop(L, -2)
        }
        return keys
    }

    /// Rejects keys not in `allowed`, suggesting the nearest allowed name and listing them all.
    public func checkKeys(_ allowed: Set<String>) throws {
        for k in stringKeys.sorted() where !allowed.contains(k) {
            let near = allowed.min { levenshtein($0, k) < levenshtein($1, k) }
            var msg = "unknown option '\(path)\(k)'"
            if let near, levenshtein(near, k) <= max(2, k.count / 3) { msg += "; did you mean '\(path)\(near)'?" }
            // Always the whole list: a wrong guess (`fraction` for `test`) is rarely a typo.
            msg += allowed.isEmpty ? " (this call takes no options)" : " (valid: \(allowed.sorted().joined(separator: ", ")))"
            throw LuaArgumentError(argument, msg)
        }
    }

    /// Pushes t[key] raw onto the stack (caller pops); returns its Lua type.
    public func push(_ key: String) -> Int32 { get(key) }
}

/// Writes fields into a table just pushed by `LuaCall.newTable`.
public struct LuaTableWriter {
    public let L: LuaStatePointer
    public let index: Int32

    public func set(_ key: String, _ v: LuaValue) { LuaStack.push(L, key); LuaStack.push(L, v); lua_rawset(L, index) }
    public func set(_ key: String, _ d: Double) { LuaStack.push(L, key); lua_pushnumber(L, d); lua_rawset(L, index) }
    public func set(_ key: String, _ i: Int) { LuaStack.push(L, key); lua_pushinteger(L, lua_Integer(i)); lua_rawset(L, index) }
    public func set(_ key: String, _ s: String) { LuaStack.push(L, key); LuaStack.push(L, s); lua_rawset(L, index) }
    public func set(_ key: String, _ b: Bool) { LuaStack.push(L, key); lua_pushboolean(L, b ? 1 : 0); lua_rawset(L, index) }
    /// Sets t[key] = the value on top of the stack (popped).
    public func setTop(_ key: String) { LuaStack.push(L, key); lua_rotate(L, -2, 1); lua_rawset(L, index) }
    /// Sets t[i] = the value on top of the stack (popped). Past the memory
    /// limit (checked every `LuaCall.memoryCheckInterval` indices) the value
    /// is dropped instead: the call then fails with "memory limit exceeded"
    /// once the Swift function returns, so a partial table never reaches Lua.
    public func setTop(_ i: Int) {
        if stopFilling(i) { lua_settop(L, -2); return }
        lua_rawseti(L, index, lua_Integer(i))
    }
    public func set(_ i: Int, _ v: LuaValue) {
        if stopFilling(i) { return }
        LuaStack.push(L, v); lua_rawseti(L, index, lua_Integer(i))
    }

    /// Once over (the overrun is sticky), every further value is dropped.
    @inline(__always) private func stopFilling(_ i: Int) -> Bool {
        if clb_runtime_of(L).pointee.overrun != 0 { return true }
        return i % LuaCall.memoryCheckInterval == 0 && clb_over_limit(L) != 0
    }
}

func levenshtein(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count), cur = prev
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count { cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)) }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
