import CLua
import ChurnCore
import LuaRuntime

/// `cl.metrics.precision_at_k`, `recall_at_k`, `map_at_k`, `ndcg_at_k`,
/// `hit_rate`, `coverage`: top-k metrics of recommendation lists.
/// Lists are Lua arrays of arrays of item ids (strings or integers, compared as
/// text), one per user, aligned by position.
enum RecommendationMetricsBinding {
    static func register(_ m: ModuleBuilder) {
        let k = "k in 1…2^31, default 10"
        let metrics: [(String, RecommendationMetric, String)] = [
            ("precision_at_k", .precision, "Mean over users of hits in the top k / k"),
            ("recall_at_k", .recall, "Mean over users of hits in the top k / number of relevant items"),
            ("map_at_k", .map, "Mean average precision at k (ml_metrics apk: Σ precision@i at hits / min(k, relevant))"),
            ("ndcg_at_k", .ndcg, "Mean NDCG at k with binary gains (equals scikit-learn's ndcg_score for untied scores)"),
            ("hit_rate", .hitRate, "Share of users with at least one relevant item in the top k"),
        ]
        for (name, metric, help) in metrics {
            m.function(name, "metrics.\(name)(recommended, relevant [, {k = 10}])",
                       "\(help). recommended and relevant: one array of item ids per user (best first), aligned; users with no relevant items are skipped; \(k).") { c in
                let rec = try lists(c, 1), rel = try lists(c, 2)
                let kk = try topK(c, 3, extra: [])
                return c.push(try c.core { try RecommendationMetrics.score(metric, recommended: rec, relevant: rel, k: kk) })
            }
        }
        m.function("coverage", "metrics.coverage(recommended, catalogue [, {k = 10}])",
                   "Catalogue coverage: share of the catalogue's items appearing in some top-k list; catalogue is the number of items or an array of them; \(k).") { c in
            let rec = try lists(c, 1)
            let size: Int
            if c.luaType(2) == LUA_TTABLE { size = Set(try items(c, 2, what: "catalogue")).count }
            else { size = try c.integer(2, in: OptionRange.positiveSize) }
            let kk = try topK(c, 3, extra: [])
            return c.push(try c.core { try RecommendationMetrics.coverage(recommended: rec, catalogueSize: size, k: kk) })
        }
    }

    static func topK(_ c: LuaCall, _ i: Int32, extra: Set<String>) throws -> Int {
        if c.isNoneOrNil(i) { return 10 }
        let o = try c.options(i)
        try o.checkKeys(Set(["k"]).union(extra))
        return try o.integer("k", in: OptionRange.positiveSize) ?? 10
    }

    /// An item id at the top of the stack as text.
    static func itemId(_ c: LuaCall, arg: Int32, where place: String) throws -> String {
        switch c.luaType(-1) {
        case LUA_TSTRING: return LuaStack.string(c.L, -1)!
        case LUA_TNUMBER:
            if lua_isinteger(c.L, -1) != 0 { return String(lua_tointegerx(c.L, -1, nil)) }
            let v = lua_tonumberx(c.L, -1, nil)
            guard v.isFinite, v == v.rounded(), abs(v) < 9e15 else { throw LuaArgumentError(arg, "\(place): item ids must be strings or integers, got \(v)") }
            return String(Int64(v))
        default:
            throw LuaArgumentError(arg, "\(place): item ids must be strings or integers, got \(c.typeName(-1))")
        }
    }

    static func items(_ c: LuaCall, _ idx: Int32, what: String, arg: Int32? = nil) throws -> [String] {
        let a = arg ?? idx
        let n = Int(lua_rawlen(c.L, idx))
        var out: [String] = []
        out.reserveCapacity(n)
        for j in 0..<n {
            lua_rawgeti(c.L, idx, lua_Integer(j + 1))
            defer { lua_settop(c.L, -2) }
            out.append(try itemId(c, arg: a, where: "\(what) element \(j + 1)"))
        }
        return out
    }

    /// Argument `i`: an array of arrays of item ids.
    static func lists(_ c: LuaCall, _ i: Int32) throws -> [[String]] {
        guard c.luaType(i) == LUA_TTABLE else { throw LuaArgumentError(i, "array of item arrays (one per user) expected, got \(c.typeName(i))") }
        let n = Int(lua_rawlen(c.L, i))
        var out: [[String]] = []
        out.reserveCapacity(n)
        for u in 0..<n {
            lua_rawgeti(c.L, i, lua_Integer(u + 1))
            defer { lua_settop(c.L, -2) }
            guard c.luaType(-1) == LUA_TTABLE else { throw LuaArgumentError(i, "user \(u + 1): an array of item ids expected, got \(c.typeName(-1))") }
            out.append(try items(c, lua_absindex(c.L, -1), what: "user \(u + 1)", arg: i))
            if u % 4096 == 4095 { try c.checkMemory() }
        }
        return out
    }
}
