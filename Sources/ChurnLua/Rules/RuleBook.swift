import CLua
import CLuaBridge
import ChurnCore
import LuaRuntime

/// The rules a state's scripts declared with `cl.rules.*`, kept per state in
/// `LuaState.userInfo`. Rules whose `when` is a Lua function keep the function in
/// a registry table (index `functionSlot`) and get their mask just before evaluation.
public final class RuleBook {
    public var ruleSet = RuleSet()
    /// Rule index → slot in the registry function table.
    var functionSlots: [Int: Int] = [:]

    static let key = "cl.rules.book"
    /// `LuaState.userInfo` key: the rule file's directory (relative paths in rule files resolve against it).
    public static let baseKey = "cl.rules.base"
    static let functionsKey = "churnlab.rules.functions"

    /// The book of `state` (created on first use).
    public static func of(_ state: LuaState) -> RuleBook {
        if let b = state.userInfo[key] as? RuleBook { return b }
        let b = RuleBook()
        state.userInfo[key] = b
        return b
    }

    public func reset() { ruleSet = RuleSet(); functionSlots = [:] }

    /// Pushes the registry table holding rule functions (created when missing).
    static func pushFunctions(_ c: LuaCall) {
        let L = c.L
        c.push(functionsKey)
        lua_rawget(L, clb_registryindex())
        if lua_type(L, -1) == LUA_TTABLE { return }
        lua_settop(L, -2)
        lua_createtable(L, 8, 0)
        c.push(functionsKey)
        lua_pushvalue(L, -2)
        lua_rawset(L, clb_registryindex())
    }

    /// Evaluates the book over `frame`: per-user Lua functions first (the slow path, one
    /// call per row with a reused row table), then the vectorized engine.
    public func evaluate(_ c: LuaCall, frame: Frame, asOf: Int32, history: ContactHistory = ContactHistory()) throws -> RuleDecisions {
        var rs = ruleSet
        if !functionSlots.isEmpty {
            for (ri, slot) in functionSlots.sorted(by: { $0.key < $1.key }) {
                rs.rules[ri].condition = .mask(try RowFunction.mask(c, slot: slot, frame: frame, rule: rs.rules[ri].name))
            }
        }
        return try c.core { try RuleEngine.evaluate(frame, rules: rs, asOf: asOf, history: history) }
    }
}

/// The per-user path: `when = function(u) return u.risk > 0.7 end`.
enum RowFunction {
    static func mask(_ c: LuaCall, slot: Int, frame: Frame, rule: String) throws -> [Bool] {
        let L = c.L
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        let cols = frame.columns
        guard lua_checkstack(L, Int32(2 * cols.count + 8)) != 0 else { throw LuaScriptError("too many columns for a row function") }
        RuleBook.pushFunctions(c)
        lua_rawgeti(L, -1, lua_Integer(slot))
        let fn = lua_gettop(L)
        lua_createtable(L, 0, Int32(cols.count))
        let row = lua_gettop(L)
        // Column names and, for text columns, their dictionaries as Lua arrays, pushed once.
        var keyIndex: [Int32] = [], dictIndex: [Int32] = []
        for col in cols {
            c.push(col.name); keyIndex.append(lua_gettop(L))
            switch col.data {
            case .string(_, let d), .category(_, let d):
                lua_createtable(L, Int32(d.count), 0)
                for (k, s) in d.enumerated() { c.push(s); lua_rawseti(L, -2, lua_Integer(k + 1)) }
                dictIndex.append(lua_gettop(L))
            default: dictIndex.append(0)
            }
        }
        var out = [Bool](repeating: false, count: frame.nrow)
        for i in 0..<frame.nrow {
            for (j, col) in cols.enumerated() {
                lua_pushvalue(L, keyIndex[j])
                if col.isNull(i) { lua_pushnil(L) } else {
                    switch col.data {
                    case .float64(let v): lua_pushnumber(L, v[i])
                    case .int64(let v): lua_pushinteger(L, lua_Integer(v[i]))
                    case .bool(let v): lua_pushboolean(L, v[i] ? 1 : 0)
                    case .string(let k, _), .category(let k, _): lua_rawgeti(L, dictIndex[j], lua_Integer(k[i]) + 1)
                    case .date(let v): c.push(DateText.format(days: v[i]))
                    case .timestamp(let v): c.push(DateText.format(micros: v[i]))
                    }
                }
                lua_rawset(L, row)
            }
            lua_pushvalue(L, fn)
            lua_pushvalue(L, row)
            let status = clb_pcall(L, 1, 1, 0)
            if status != LUA_OK {
                let msg = c.value(-1).description
                let kind: LuaError.Kind = status == LUA_ERRMEM ? .memory : msg.contains("time limit exceeded") ? .timeout : .runtime
                throw LuaError(kind: kind, message: "rule '\(rule)', user row \(i + 1): \(msg)")
            }
            out[i] = lua_toboolean(L, -1) != 0
            lua_settop(L, -2)
        }
        return out
    }
}
