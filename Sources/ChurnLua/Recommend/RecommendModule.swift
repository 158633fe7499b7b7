import CLua
import ChurnCore
import LuaRuntime

/// A recommender (`cl.Recommender`) from `cl.recommend.popular{}` or
/// `cl.recommend.item_knn{...}` or `cl.recommend.als{...}`: `:fit`, `:recommend`, `:similar_items`.
public final class RecommenderObject: LuaObject {
    public static let luaTypeName = "cl.Recommender"
    enum Kind { case popular, itemKNN(neighbours: Int), als(ALSOptions) }
    let kind: Kind
    var popular: PopularityRecommender?
    var knn: ItemKNNRecommender?
    var als: ALSModel?
    /// The personalised recommendation for a known user (nil: use popularity).
    func personal(_ user: String, k: Int, excludeSeen: Bool) -> Recommendation? {
        if let knn { return knn.recommend(user: user, k: k, excludeSeen: excludeSeen) }
        if let als { return als.recommend(user: user, k: k, excludeSeen: excludeSeen) }
        return nil
    }
    init(_ k: Kind) { kind = k }
}

/// `cl.recommend`: recommenders over user–item interactions. Ids are compared
/// as text (integer ids are formatted as integers).
enum RecommendModule {
    /// A column (text or integer) as ids.
    static func ids(_ col: Column, arg: Int32) throws -> [String] {
        switch col.data {
        case .string, .category: return (0..<col.count).map { col.string(at: $0) ?? "" }
        case .int64(let v): return v.map { String($0) }
        default: throw LuaArgumentError(arg, "column '\(col.name)' is \(col.dtype.rawValue): ids must be text or integers")
        }
    }

    /// Argument `i`: a column, an array of ids, or one id.
    static func idList(_ c: LuaCall, _ i: Int32) throws -> [String] {
        if c.isObject(i, ColumnObject.self) { return try ids(try c.object(i, ColumnObject.self).column, arg: i) }
        if c.luaType(i) == LUA_TTABLE { return try RecommendationMetricsBinding.items(c, i, what: "users") }
        lua_pushvalue(c.L, i)
        defer { lua_settop(c.L, -2) }
        return [try RecommendationMetricsBinding.itemId(c, arg: i, where: "user")]
    }

    static func register(_ cl: ModuleBuilder) {
        cl.state.register(RecommenderObject.self, LuaClass(methods: [
            "fit": { c in
                let o = try c.object(1, RecommenderObject.self)
                let f = try c.frame(2)
                var user = "user_id", item = "item", weight: String?
                if !c.isNoneOrNil(3) {
                    let t = try c.options(3)
                    try t.checkKeys(["user", "item", "weight"])
                    user = try t.string("user") ?? user; item = try t.string("item") ?? item; weight = try t.string("weight")
                }
                let users = try ids(try c.core { try f.column(user) }, arg: 2)
                let items = try ids(try c.core { try f.column(item) }, arg: 2)
                let w: [Double]? = try weight.map { name in
                    guard let v = try c.core({ try f.column(name) }).toDoubles() else { throw LuaArgumentError(2, "weight column '\(name)' must be numeric") }
                    return v
                }
                let m = try c.core { try InteractionMatrix(users: users, items: items, weights: w) }
                o.popular = PopularityRecommender(m)
                switch o.kind {
                case .popular: break
                case .itemKNN(let k): o.knn = try c.core { try ItemKNNRecommender(m, neighbours: k) }
                case .als(let opts): o.als = try c.core { try ALSModel.fit(m, opts) }
                }
                lua_settop(c.L, 1)
                return 1
            },
            "recommend": { c in
                let o = try c.object(1, RecommenderObject.self)
                guard let pop = o.popular else { throw LuaScriptError("this cl.Recommender is not fitted: call :fit(interactions) first") }
                let users = try idList(c, 2)
                var k = 10, exclude = true
                if !c.isNoneOrNil(3) {
                    let t = try c.options(3)
                    try t.checkKeys(["k", "exclude_seen"])
                    k = try t.integer("k", in: 1...100_000) ?? 10
                    exclude = try t.bool("exclude_seen") ?? true
                }
                let m = pop.matrix
                var uCol: [String] = [], rank: [Int64] = [], item: [String] = [], score: [Double] = [], reason: [String] = []
                // Users in parallel over fixed chunks (read-only models); rows come back in user order.
                let isPopular: Bool = { if case .popular = o.kind { return true }; return false }()
                let parts: [[(Recommendation, Bool)]] = Parallel.mapChunks(users.count, chunks: max(1, min(256, users.count / 256))) { range in
                    range.map { n in
                        if let rr = o.personal(users[n], k: k, excludeSeen: exclude) { return (rr, false) }
                        return (pop.recommend(user: users[n], k: k, excludeSeen: exclude), !isPopular)
                    }
                }
                try c.checkMemory()
                var n = 0
                for part in parts {
                    for (r, cold) in part {
                        let u = users[n]
                        n += 1
                        for (p, (i, s)) in zip(r.items, r.scores).enumerated() {
                            uCol.append(u); rank.append(Int64(p + 1)); item.append(m.items[i]); score.append(s)
                            if let b = r.because[p] { reason.append("because you engaged with \(m.items[b])") }
                            else { reason.append(cold ? "popular (new user)" : "popular") }
                        }
                    }
                    try c.checkMemory()
                }
                return c.push(frame: try c.core { try Frame([
                    Column.string("user_id", uCol), Column(name: "rank", data: .int64(rank)), Column.string("item", item),
                    Column(name: "score", data: .float64(score)), Column.string("reason", reason),
                ]) })
            },
            "similar_items": { c in
                let o = try c.object(1, RecommenderObject.self)
                guard let knn = o.knn else { throw LuaScriptError("similar_items needs a fitted item_knn recommender") }
                let id = try idList(c, 2)
                guard id.count == 1, let i = knn.matrix.itemIndex[id[0]] else { throw LuaArgumentError(2, "unknown item '\(id.first ?? "")'") }
                var k = 10
                if !c.isNoneOrNil(3) {
                    let t = try c.options(3)
                    try t.checkKeys(["k"])
                    k = try t.integer("k", in: 1...100_000) ?? 10
                }
                let nb = knn.neighbours[i].prefix(k)
                return c.push(frame: try c.core { try Frame([
                    Column.string("item", nb.map { knn.matrix.items[$0.0] }),
                    Column(name: "similarity", data: .float64(nb.map(\.1))),
                ]) })
            },
        ], index: { c in
            let o = try c.object(1, RecommenderObject.self)
            switch try c.string(2) {
            case "loss": return o.als.map { c.pushArray($0.loss) } ?? c.pushNil()
            default: return c.pushNil()
            }
        }))
        cl.submodule("recommend", "Recommenders over user–item interactions (popularity, item-to-item collaborative filtering, implicit ALS).") { m in
            m.function("popular", "recommend.popular()",
                       "Popularity baseline (cl.Recommender): items ranked by their number of distinct users. :fit(interactions, {user = 'user_id', item = 'item', weight =}), :recommend(users, {k = 10, exclude_seen = true}) → frame user_id, rank, item, score, reason.") { c in
                c.push(object: RecommenderObject(.popular))
            }
            m.function("item_knn", "recommend.item_knn{neighbours = 20}",
                       "Item-to-item collaborative filtering (cl.Recommender): cosine similarity of item columns, neighbours (1…100000) kept per item, user score Σ weight × similarity over seen items; unknown users get popular items. :fit(interactions, {user =, item =, weight =}), :recommend(users, {k = 10, exclude_seen = true}) (reason names the seen item that contributed most), :similar_items(item, {k = 10}).") { c in
                var k = 20
                if !c.isNoneOrNil(1) {
                    let t = try c.options(1)
                    try t.checkKeys(["neighbours"])
                    k = try t.integer("neighbours", in: OptionRange.bins) ?? 20
                }
                return c.push(object: RecommenderObject(.itemKNN(neighbours: k)))
            }
            m.function("als", "recommend.als{factors = 64, iterations = 15, regularization = 0.01, alpha = 40, cg_steps = 3, seed =}",
                       "Implicit-feedback matrix factorisation (cl.Recommender) by alternating least squares with a conjugate-gradient solver (Hu–Koren–Volinsky; as the implicit package, but confidence 1 + alpha × weight). factors 1…1024, iterations 1…100000, cg_steps 1…1024, regularization and alpha finite ≥ 0. :fit(interactions, {user =, item =, weight =}), :recommend(users, {k =, exclude_seen =}); unknown users get popular items; the loss per iteration is rec.loss.") { c in
                var o = ALSOptions()
                if !c.isNoneOrNil(1) {
                    let t = try c.options(1)
                    try t.checkKeys(["factors", "iterations", "regularization", "alpha", "cg_steps", "seed"])
                    o.factors = try t.integer("factors", in: 1...1024) ?? 64
                    o.iterations = try t.integer("iterations", in: OptionRange.bins) ?? 15
                    o.regularization = try t.number("regularization", in: .closed(0, 1e300)) ?? 0.01
                    o.alpha = try t.number("alpha", in: .closed(0, 1e300)) ?? 40
                    o.cgSteps = try t.integer("cg_steps", in: 1...1024) ?? 3
                    o.seed = try t.seed()
                }
                return c.push(object: RecommenderObject(.als(o)))
            }
        }
    }
}
