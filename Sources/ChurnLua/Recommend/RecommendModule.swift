import CLua
import ChurnCore
import LuaRuntime

/// A recommender (`cl.Recommender`) from `cl.recommend.popular{}`, `item_knn`,
/// `user_knn`, `als`, `content` or `hybrid`: `:fit`, `:recommend`, `:similar_items`.
public final class RecommenderObject: LuaObject {
    public static let luaTypeName = "cl.Recommender"
    enum Kind {
        case popular, itemKNN(neighbours: Int), userKNN(neighbours: Int), als(ALSOptions)
        case content(ids: [String], texts: [String], titles: [String]?, sublinear: Bool, stopWords: Set<String>)
        case hybrid([(RecommenderObject, Double)])
    }
    let kind: Kind
    var popular: PopularityRecommender?
    var knn: ItemKNNRecommender?
    var als: ALSModel?
    var contentModel: ContentRecommender?
    /// The personalised model once fitted (nil for popularity).
    var scorer: (any UserScorer)?
    /// Display names of items for reasons (content catalogues with a title column).
    var titles: [String: String] = [:]
    init(_ k: Kind) { kind = k }

    /// The saved form of this (fitted) model's kind and options.
    func spec() -> RecommenderFile.Spec {
        switch kind {
        case .popular: return RecommenderFile.Spec(kind: "popular")
        case .itemKNN(let k): var s = RecommenderFile.Spec(kind: "item_knn"); s.neighbours = k; return s
        case .userKNN(let k): var s = RecommenderFile.Spec(kind: "user_knn"); s.neighbours = k; return s
        case .als(let o):
            var s = RecommenderFile.Spec(kind: "als")
            s.als = RecommenderFile.ALSFile(factors: o.factors, iterations: o.iterations, cgSteps: o.cgSteps, seed: o.seed,
                                            regularization: o.regularization, alpha: o.alpha, userFactors: als?.userFactors ?? [],
                                            itemFactors: als?.itemFactors ?? [], loss: als?.loss ?? [])
            return s
        case .content(let ids, let texts, let titles, let sub, let stop):
            var s = RecommenderFile.Spec(kind: "content")
            s.content = RecommenderFile.ContentFile(ids: ids, texts: texts, titles: titles, sublinearTF: sub, stopWords: stop.sorted())
            return s
        case .hybrid(let parts):
            var s = RecommenderFile.Spec(kind: "hybrid")
            s.parts = parts.map { RecommenderFile.Part(weight: $0.1, spec: $0.0.spec()) }
            return s
        }
    }

    /// A model rebuilt from a validated file: ALS from its factors, the others refitted on the saved interactions.
    static func restore(_ s: RecommenderFile.Spec, _ m: InteractionMatrix) throws -> RecommenderObject {
        let o: RecommenderObject
        switch s.kind {
        case "item_knn": o = RecommenderObject(.itemKNN(neighbours: s.neighbours!))
        case "user_knn": o = RecommenderObject(.userKNN(neighbours: s.neighbours!))
        case "content":
            let c = s.content!
            o = RecommenderObject(.content(ids: c.ids, texts: c.texts, titles: c.titles, sublinear: c.sublinearTF, stopWords: Set(c.stopWords)))
        case "hybrid":
            // Parts are restored (and fitted) one by one; the blend is rebuilt over them without refitting.
            let parts = try s.parts!.map { (try restore($0.spec, m), $0.weight) }
            o = RecommenderObject(.hybrid(parts))
            o.popular = PopularityRecommender(m)
            o.scorer = try HybridRecommender(parts.map { (scorer: $0.0.scorer ?? $0.0.popular!, weight: $0.1) })
            for (p, _) in parts { o.titles.merge(p.titles) { a, _ in a } }
            return o
        case "als":
            let a = s.als!
            var opts = ALSOptions()
            opts.factors = a.factors; opts.iterations = a.iterations; opts.cgSteps = a.cgSteps; opts.seed = a.seed
            opts.regularization = a.regularization; opts.alpha = a.alpha
            o = RecommenderObject(.als(opts))
            let model = ALSModel(matrix: m, options: opts, userFactors: a.userFactors, itemFactors: a.itemFactors, loss: a.loss)
            o.popular = PopularityRecommender(m); o.als = model; o.scorer = model
            return o
        default: o = RecommenderObject(.popular)
        }
        try o.fit(m)
        return o
    }

    /// Fits this model (and a hybrid's parts) on `m`.
    func fit(_ m: InteractionMatrix) throws {
        popular = PopularityRecommender(m)
        switch kind {
        case .popular: scorer = nil
        case .itemKNN(let k): let r = try ItemKNNRecommender(m, neighbours: k); knn = r; scorer = r
        case .userKNN(let k): scorer = try UserKNNRecommender(m, neighbours: k)
        case .als(let o): let r = try ALSModel.fit(m, o); als = r; scorer = r
        case .content(let ids, let texts, let t, let sub, let stop):
            let r = try ContentRecommender(m, itemIds: ids, texts: texts, sublinearTF: sub, stopWords: stop)
            contentModel = r; scorer = r
            if let t { for (i, id) in ids.enumerated() { titles[id] = t[i] } }
        case .hybrid(let parts):
            var scorers: [(scorer: any UserScorer, weight: Double)] = []
            for (p, w) in parts {
                try p.fit(m)
                scorers.append((p.scorer ?? p.popular!, w))
                titles.merge(p.titles) { a, _ in a }
            }
            scorer = try HybridRecommender(scorers)
        }
    }
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

    /// A column of ids as codes (first-appearance order) and distinct ids, the
    /// same as factorising `ids(col)` but without formatting or hashing a
    /// string per row (`InteractionMatrix.codes`: the frame's factoriser).
    static func factorized(_ col: Column, arg: Int32) throws -> (codes: [Int32], names: [String]) {
        if let r = try InteractionMatrix.codes(col) { return r }
        return InteractionMatrix.factorize(try ids(col, arg: arg))
    }

    /// Argument `i`: a column, an array of ids, or one id.
    static func idList(_ c: LuaCall, _ i: Int32) throws -> [String] {
        if c.isObject(i, ColumnObject.self) { return try ids(try c.object(i, ColumnObject.self).column, arg: i) }
        if c.luaType(i) == LUA_TTABLE { return try RecommendationMetricsBinding.items(c, i, what: "users") }
        lua_pushvalue(c.L, i)
        defer { lua_settop(c.L, -2) }
        return [try RecommendationMetricsBinding.itemId(c, arg: i, where: "user")]
    }

    /// The `personas =` option of :recommend: a frame mapping user ids (`user`,
    /// default 'user_id') to personas (`persona`, default 'persona'; text or
    /// integers), for popular-in-persona cold start. nil when not given.
    static func personaPopularity(_ c: LuaCall, _ t: LuaTable, _ m: InteractionMatrix) throws -> PersonaPopularity? {
        guard t.has("personas") else {
            if t.has("persona") || t.has("user") { throw LuaArgumentError(3, "recommend: 'persona' and 'user' name columns of 'personas' (a frame), which is missing") }
            return nil
        }
        lua_pushstring(c.L, "personas"); lua_rawget(c.L, 3)   // raw: a metamethod may raise
        defer { lua_settop(c.L, -2) }
        guard c.isObject(-1, FrameObject.self) else { throw LuaArgumentError(3, "recommend: 'personas' must be a frame of user ids and personas") }
        let f = try c.frame(-1)
        let userName = try t.string("user") ?? "user_id", personaName = try t.string("persona") ?? "persona"
        let users = try ids(try c.core { try f.column(userName) }, arg: 3)
        let personaCol = try c.core { try f.column(personaName) }
        if personaCol.nullCount > 0 { throw LuaArgumentError(3, "recommend: persona column '\(personaName)' has nulls") }
        let personas = try ids(personaCol, arg: 3)
        return try c.core { try PersonaPopularity(m, users: users, personas: personas) }
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
                let users = try factorized(try c.core { try f.column(user) }, arg: 2)
                let items = try factorized(try c.core { try f.column(item) }, arg: 2)
                let w: [Double]? = try weight.map { name in
                    guard let v = try c.core({ try f.column(name) }).toDoubles() else { throw LuaArgumentError(2, "weight column '\(name)' must be numeric") }
                    return v
                }
                let m = try c.core { try InteractionMatrix(userCodes: users.codes, users: users.names, itemCodes: items.codes,
                                                           items: items.names, weights: w) }
                try c.core { try o.fit(m) }
                lua_settop(c.L, 1)
                return 1
            },
            "recommend": { c in
                let o = try c.object(1, RecommenderObject.self)
                guard let pop = o.popular else { throw LuaScriptError("this cl.Recommender is not fitted: call :fit(interactions) first") }
                let users = try idList(c, 2)
                var k = 10, exclude = true
                var byPersona: PersonaPopularity?
                if !c.isNoneOrNil(3) {
                    let t = try c.options(3)
                    try t.checkKeys(["k", "exclude_seen", "personas", "persona", "user"])
                    k = try t.integer("k", in: 1...100_000) ?? 10
                    exclude = try t.bool("exclude_seen") ?? true
                    byPersona = try personaPopularity(c, t, pop.matrix)
                }
                // Users in parallel over fixed chunks (read-only models); each chunk appends its rows as
                // integer codes (RecommendationFrame), in user order. Cancellable between chunks
                // (Ctrl-C, --timeout, kernel interrupt): up to 256 chunks, and above 256 × 1024 users
                // chunks of 1024 users, so a chunk — the stop latency — stays short however many users.
                let isPopular = o.scorer == nil
                let table = RecommendationFrame(modelItems: o.scorer?.itemIds, popularItems: pop.matrix.items, titles: o.titles,
                                                personas: byPersona.map { $0.counts.keys.sorted() } ?? [])
                let parts: [RecommendationFrame.Rows] = try Parallel.mapChunksThrowing(users.count, chunks: max(1, min(256, users.count / 256), users.count / 1024)) { range in
                    let personal = o.scorer?.rank(users: users[range], k: k, excludeSeen: exclude)
                    var rows = RecommendationFrame.Rows(capacity: range.count * k)
                    for n in range {
                        if let rr = personal?[n - range.lowerBound] ?? nil { table.append(user: n, rr, .model, to: &rows); continue }
                        // Reason-less rows: persona popularity for the first `fromPersona` rows (cold start, or
                        // the popularity model given personas), else plain popularity.
                        let cold = !isPopular && pop.matrix.userIndex[users[n]] == nil
                        if let pp = byPersona?.rank(user: users[n], k: k, excludeSeen: exclude) {
                            table.append(user: n, pp.items, .persona(pp.persona, fromPersona: pp.fromPersona, cold: cold), to: &rows)
                        } else {
                            table.append(user: n, pop.recommend(user: users[n], k: k, excludeSeen: exclude), .popular(cold: !isPopular), to: &rows)
                        }
                    }
                    return rows
                }
                try c.checkMemory()
                return c.push(frame: try c.core { try table.frame(users: users, parts: parts) })
            },
            "save": { c in
                let o = try c.object(1, RecommenderObject.self)
                guard let pop = o.popular else { throw LuaScriptError("this cl.Recommender is not fitted: call :fit(interactions) first") }
                let file = RecommenderFile(matrix: pop.matrix, spec: o.spec())
                try c.withOutputFile(try c.pathArgument(2)) { path in try c.core { try file.write(to: path) } }
                return 0
            },
            "similar_items": { c in
                let o = try c.object(1, RecommenderObject.self)
                let id = try idList(c, 2)
                var k = 10
                if !c.isNoneOrNil(3) {
                    let t = try c.options(3)
                    try t.checkKeys(["k"])
                    k = try t.integer("k", in: 1...100_000) ?? 10
                }
                let nb: [(String, Double)]
                if let knn = o.knn {
                    guard id.count == 1, let i = knn.matrix.itemIndex[id[0]] else { throw LuaArgumentError(2, "unknown item '\(id.first ?? "")'") }
                    nb = knn.neighbours[i].prefix(k).map { (knn.matrix.items[$0.0], $0.1) }
                } else if let cm = o.contentModel {
                    guard id.count == 1, let r = cm.similar(item: id[0], k: k) else { throw LuaArgumentError(2, "unknown item '\(id.first ?? "")'") }
                    nb = r
                } else { throw LuaScriptError("similar_items needs a fitted item_knn or content recommender") }
                return c.push(frame: try c.core { try Frame([
                    Column.string("item", nb.map(\.0)),
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
            RecommendEvaluationModule.register(m)
            m.function("load", "recommend.load(path)",
                       "A fitted cl.Recommender saved by rec:save(path) (JSON: kind, options, training interactions, content catalogue, ALS factors, hybrid parts). Every count, index and number is checked before use; ALS factors are restored, other models refitted on the saved interactions (deterministic).") { c in
                let path = try c.pathArgument(1)
                let file = try c.withInputFile(path) { p in try c.core { try RecommenderFile.read(p) } }
                let m = try c.core { try file.matrix() }
                return c.push(object: try c.core { try RecommenderObject.restore(file.spec, m) })
            }
            m.function("user_knn", "recommend.user_knn{neighbours = 50}",
                       "User-to-user collaborative filtering (cl.Recommender): cosine similarity of user rows, the neighbours (1…100000) most similar users vote Σ similarity × weight; unknown users get popular items. :fit(interactions, {user =, item =, weight =}), :recommend(users, {k = 10, exclude_seen = true}).") { c in
                var k = 50
                if !c.isNoneOrNil(1) {
                    let t = try c.options(1)
                    try t.checkKeys(["neighbours"])
                    k = try t.integer("neighbours", in: 1...100_000) ?? 50
                }
                return c.push(object: RecommenderObject(.userKNN(neighbours: k)))
            }
            m.function("content", "recommend.content{items = df, id = 'item', text = 'description', title =, sublinear_tf = true, stop_words = {...}}",
                       "Content-based recommender (cl.Recommender) over cl.text.tfidf rows of the items' text (words for Latin scripts, character bigrams for Chinese/Japanese/Korean): a user's profile is the weighted sum of the rows of items they engaged with, scores are cosines. The catalogue `items` fixes the item universe, so new items without interactions are recommended from their text; unknown users get popular items. title (a column) names items in reasons. :fit(interactions, {user =, item =, weight =}), :recommend, :similar_items(item, {k =}).") { c in
                let t = try c.options(1)
                try t.checkKeys(["items", "id", "text", "title", "sublinear_tf", "stop_words"])
                guard t.has("items") else { throw LuaArgumentError(1, "content: 'items' (the catalogue frame) is required") }
                lua_pushstring(c.L, "items"); lua_rawget(c.L, 1)   // raw: a metamethod may raise
                guard c.isObject(-1, FrameObject.self) else { throw LuaArgumentError(1, "content: 'items' must be a frame (the catalogue)") }
                let f = try c.frame(-1)
                lua_settop(c.L, -2)
                let idName = try t.string("id") ?? "item", textName = try t.string("text") ?? "description"
                let ids = try ids(try c.core { try f.column(idName) }, arg: 1)
                let textCol = try c.core { try f.column(textName) }
                guard case .string = textCol.data else {
                    if case .category = textCol.data {} else { throw LuaArgumentError(1, "content: text column '\(textName)' must be text") }
                    return c.pushNil()
                }
                let texts = (0..<textCol.count).map { textCol.string(at: $0) ?? "" }
                let titles: [String]? = try (try t.string("title")).map { name in
                    let col = try c.core { try f.column(name) }
                    return (0..<col.count).map { col.string(at: $0) ?? "" }
                }
                let stop = Set((try t.strings("stop_words") ?? []).map { $0.lowercased() })
                return c.push(object: RecommenderObject(.content(ids: ids, texts: texts, titles: titles,
                                                                 sublinear: try t.bool("sublinear_tf") ?? true, stopWords: stop)))
            }
            m.function("hybrid", "recommend.hybrid{ {model, weight}, ... }",
                       "Weighted blend (cl.Recommender) of recommenders: each part's scores are min–max scaled per user, multiplied by its weight (finite ≥ 0, one above 0) and summed; parts that know nothing of a user drop out, so a new user falls back to the popular or content parts. :fit fits every part on the same interactions.") { c in
                let t = try c.table(1)
                guard t.length > 0 else { throw LuaArgumentError(1, "hybrid: give at least one {model, weight}") }
                var parts: [(RecommenderObject, Double)] = []
                for i in 1...t.length {
                    let top = lua_gettop(c.L)
                    defer { lua_settop(c.L, top) }
                    guard lua_rawgeti(c.L, 1, lua_Integer(i)) == LUA_TTABLE else { throw LuaArgumentError(1, "hybrid: entry \(i) must be {model, weight}") }
                    let entry = lua_gettop(c.L)
                    lua_rawgeti(c.L, entry, 1)
                    guard c.isObject(entry + 1, RecommenderObject.self) else { throw LuaArgumentError(1, "hybrid: entry \(i)[1] must be a cl.Recommender") }
                    let model = try c.object(entry + 1, RecommenderObject.self)
                    lua_rawgeti(c.L, entry, 2)
                    guard lua_type(c.L, entry + 2) == LUA_TNUMBER else { throw LuaArgumentError(1, "hybrid: entry \(i)[2] (the weight) must be a number") }
                    let w = lua_tonumberx(c.L, entry + 2, nil)
                    guard w.isFinite, w >= 0 else { throw LuaArgumentError(1, "hybrid: entry \(i) weight must be a finite number >= 0, got \(w)") }
                    if case .hybrid = model.kind { throw LuaArgumentError(1, "hybrid: entry \(i) is itself a hybrid") }
                    parts.append((model, w))
                }
                guard parts.contains(where: { $0.1 > 0 }) else { throw LuaArgumentError(1, "hybrid: at least one weight must be above 0") }
                return c.push(object: RecommenderObject(.hybrid(parts)))
            }
            m.function("als", "recommend.als{factors = 64, iterations = 15, regularization = 0.01, alpha = 40, cg_steps = 3, solver = 'cg', calculate_training_loss = false, seed =}",
                       "Implicit-feedback matrix factorisation (cl.Recommender) by alternating least squares with a conjugate-gradient solver (Hu–Koren–Volinsky; as the implicit package, but confidence 1 + alpha × weight). factors 1…1024, iterations 1…100000, cg_steps 1…1024, regularization and alpha finite ≥ 0. solver 'cg' (single precision, cg_steps warm-started steps per solve) or 'cholesky' (exact, double precision, O(factors³) per user). :fit(interactions, {user =, item =, weight =}), :recommend(users, {k =, exclude_seen =}); unknown users get popular items; with calculate_training_loss = true the objective per iteration is rec.loss.") { c in
                var o = ALSOptions()
                if !c.isNoneOrNil(1) {
                    let t = try c.options(1)
                    try t.checkKeys(["factors", "iterations", "regularization", "alpha", "cg_steps", "solver", "calculate_training_loss", "seed"])
                    o.factors = try t.integer("factors", in: 1...1024) ?? 64
                    o.iterations = try t.integer("iterations", in: OptionRange.bins) ?? 15
                    o.regularization = try t.number("regularization", in: .closed(0, 1e300)) ?? 0.01
                    o.alpha = try t.number("alpha", in: .closed(0, 1e300)) ?? 40
                    o.cgSteps = try t.integer("cg_steps", in: 1...1024) ?? 3
                    if let name = try t.string("solver") {
                        guard let solver = ALSOptions.Solver(rawValue: name) else { throw LuaArgumentError(1, "als: solver must be 'cg' or 'cholesky', got '\(name)'") }
                        o.solver = solver
                    }
                    o.calculateTrainingLoss = try t.bool("calculate_training_loss") ?? false
                    o.seed = try t.seed()
                }
                return c.push(object: RecommenderObject(.als(o)))
            }
        }
    }
}
