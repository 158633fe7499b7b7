import CLua
import ChurnCore
import LuaRuntime

/// `cl.recommend.split`, `cl.recommend.evaluate` and `cl.recommend.wide`
/// (top-k as columns rec_1, rec_1_reason, … for rule messages).
/// Registered by `RecommendModule`.
enum RecommendEvaluationModule {
    /// (user, item) ids of a frame's columns.
    static func pairs(_ c: LuaCall, _ f: Frame, _ o: LuaTable, arg: Int32) throws -> (users: [String], items: [String]) {
        let user = try o.string("user") ?? "user_id", item = try o.string("item") ?? "item"
        for n in [user, item] where !f.has(n) {
            throw LuaArgumentError(arg, "no column '\(n)' in the interactions (columns: \(f.names.joined(separator: ", ")))")
        }
        return (try RecommendModule.ids(try c.core { try f.column(user) }, arg: arg),
                try RecommendModule.ids(try c.core { try f.column(item) }, arg: arg))
    }

    static func register(_ m: ModuleBuilder) {
        m.function("split", "recommend.split(interactions, {by = 'user'|'time', holdout = '30d', cutoff =, user = 'user_id', item = 'item', time = 'ts', min_interactions = 2})",
                   "Train/test split of interactions → train, test (two frames). by = 'user' (default): each user's latest interaction (by time when the time column exists, else the last row) is held out — every row on that item goes to test — for users with at least min_interactions (1…2^31) rows. by = 'time': rows from the cutoff (a date; default the last time minus holdout, e.g. '30d') are test, minus (user, item) pairs already seen in training.") { c in
            let f = try c.frame(1)
            let o = try c.options(2)
            try o.checkKeys(["by", "holdout", "cutoff", "user", "item", "time", "min_interactions"])
            let (users, items) = try pairs(c, f, o, arg: 2)
            let timeName = try o.string("time") ?? "ts"
            var times: [Int64]? = nil, perDay: Int64 = 1
            if f.has(timeName) {
                let col = try c.core { try f.column(timeName) }
                switch col.data {
                case .timestamp(let v): times = v; perDay = TimeUnit.microsPerDay
                case .date(let v): times = v.map(Int64.init)
                case .int64(let v): times = v
                default: throw LuaArgumentError(2, "time column '\(timeName)' must be a timestamp, date or integer")
                }
                if let r = (0..<col.count).first(where: { col.isNull($0) }) { throw LuaArgumentError(2, "time column '\(timeName)' is null in row \(r + 1)") }
            }
            let by = try o.string("by") ?? "user"
            let split: (train: [Int], test: [Int])
            switch by {
            case "user":
                let minN = try o.integer("min_interactions", in: 1...Int(Int32.max)) ?? 2
                split = try c.core { try RecommendSplit.leaveLastOut(users: users, items: items, times: times, minInteractions: minN) }
            case "time":
                guard let t = times else { throw LuaArgumentError(2, "by = 'time' needs the time column '\(timeName)'") }
                let cutoff: Int64
                if let s = try o.string("cutoff") {
                    guard let d = DateText.parseDate(s) else { throw LuaArgumentError(2, "cutoff: '\(s)' is not a date like 2024-06-01") }
                    cutoff = Int64(d) * perDay
                } else {
                    let days = try c.core { try RuleDuration.days(try o.string("holdout") ?? "30d") }
                    cutoff = (t.max() ?? 0) - Int64(days) * perDay + (perDay == 1 ? 1 : 0)
                }
                split = try c.core { try RecommendSplit.byTime(users: users, items: items, times: t, cutoff: cutoff) }
            default: throw LuaArgumentError(2, "by must be 'user' or 'time', got '\(by)'")
            }
            c.push(frame: try c.core { try f.take(rows: split.train) })
            c.push(frame: try c.core { try f.take(rows: split.test) })
            return 2
        }

        m.function("evaluate", "recommend.evaluate(model, test, {k = 10, user = 'user_id', item = 'item'})",
                   "Offline evaluation of a fitted cl.Recommender on held-out interactions (e.g. from recommend.split) → one-row frame: k, users, precision_at_k, recall_at_k, map_at_k, ndcg_at_k, hit_rate, coverage (share of the model's items in some top-k list) and novelty (mean −log2 of the share of training users who had each recommended item). Seen items are excluded; unknown users get popular items. k 1…100000.") { c in
            let model = try c.object(1, RecommenderObject.self)
            guard let pop = model.popular else { throw LuaScriptError("this cl.Recommender is not fitted: call :fit(interactions) first") }
            let f = try c.frame(2)
            let o = try c.options(3)
            try o.checkKeys(["k", "user", "item"])
            let k = try o.integer("k", in: 1...100_000) ?? 10
            let (users, items) = try pairs(c, f, o, arg: 2)
            var relevant: [String: [String]] = [:], order: [String] = []
            for (u, i) in zip(users, items) {
                if relevant[u] == nil { order.append(u) }
                relevant[u, default: []].append(i)
            }
            guard !order.isEmpty else { throw LuaArgumentError(2, "the test interactions are empty") }
            let modelItems = model.scorer?.itemIds ?? []
            let lists: [[String]] = try Parallel.mapChunksThrowing(order.count, chunks: max(1, min(256, order.count / 256))) { range in
                let personal = model.scorer?.rank(users: order[range], k: k, excludeSeen: true)
                return range.map { n in
                    if let r = personal?[n - range.lowerBound] ?? nil { return r.items.map { modelItems[$0] } }
                    return pop.recommend(user: order[n], k: k, excludeSeen: true).items.map { pop.matrix.items[$0] }
                }
            }.flatMap { $0 }
            let perItem = Dictionary(uniqueKeysWithValues: pop.matrix.items.enumerated().map { ($1, pop.matrix.byItem[$0].count) })
            let catalogue = (model.scorer ?? pop).itemIds.count
            let e = try c.core {
                try RecommendEvaluation.evaluate(recommended: lists, relevant: order.map { relevant[$0]! }, k: k, catalogueSize: catalogue,
                                                 trainUsersPerItem: perItem, trainUsers: pop.matrix.users.count)
            }
            return c.push(frame: try c.core { try Frame([
                Column(name: "k", data: .int64([Int64(k)])), Column(name: "users", data: .int64([Int64(e.users)])),
                Column(name: "precision_at_k", data: .float64([e.precision])), Column(name: "recall_at_k", data: .float64([e.recall])),
                Column(name: "map_at_k", data: .float64([e.map])), Column(name: "ndcg_at_k", data: .float64([e.ndcg])),
                Column(name: "hit_rate", data: .float64([e.hitRate])), Column(name: "coverage", data: .float64([e.coverage])),
                Column(name: "novelty", data: .float64([e.novelty])),
            ]) })
        }

        m.function("wide", "recommend.wide(recs [, {k = 1, names = df, id = 'item', title = 'title'}])",
                   "One row per user from :recommend's frame: user_id, rec_1, rec_1_reason, rec_1_score, … up to rank k (1…1000; null past a user's list). With names (a catalogue frame), rec_i is the item's title (column title, looked up by column id); join it to the users frame and rule messages can say {rec_1} and {rec_1_reason}.") { c in
            let f = try c.frame(1)
            let o = try c.options(2)
            try o.checkKeys(["k", "names", "id", "title"])
            let k = try o.integer("k", in: 1...1000) ?? 1
            for n in ["user_id", "rank", "item", "score", "reason"] where !f.has(n) {
                throw LuaArgumentError(1, "recs must be :recommend's frame (missing column '\(n)')")
            }
            var title: [String: String] = [:]
            if o.has("names") {
                lua_pushstring(c.L, "names"); lua_rawget(c.L, 2)   // raw: a metamethod may raise
                guard c.isObject(-1, FrameObject.self) else { throw LuaArgumentError(2, "names must be a frame (the catalogue)") }
                let cat = try c.frame(-1)
                lua_settop(c.L, -2)
                let ids = try RecommendModule.ids(try c.core { try cat.column(try o.string("id") ?? "item") }, arg: 2)
                let t = try c.core { try cat.column(try o.string("title") ?? "title") }
                for (r, id) in ids.enumerated() { title[id] = t.string(at: r) ?? id }
            }
            let u = try c.core { try f.column("user_id") }, rk = try c.core { try f.column("rank") }
            let it = try c.core { try f.column("item") }, sc = try c.core { try f.column("score") }, rs = try c.core { try f.column("reason") }
            var order: [String] = [], rows: [String: Int] = [:]
            var item = [[String?]](repeating: [], count: k), reason = item
            var score = [[Double]](repeating: [], count: k)
            for r in 0..<f.nrow {
                let user = u.string(at: r) ?? ""
                if rows[user] == nil {
                    rows[user] = order.count; order.append(user)
                    for j in 0..<k { item[j].append(nil); reason[j].append(nil); score[j].append(.nan) }
                }
                guard let p = rk.double(at: r), p >= 1, p <= Double(k) else { continue }
                let j = Int(p) - 1, row = rows[user]!
                let id = it.string(at: r) ?? ""
                item[j][row] = title[id] ?? id; reason[j][row] = rs.string(at: r); score[j][row] = sc.double(at: r) ?? .nan
            }
            var cols = [Column.string("user_id", order)]
            for j in 0..<k {
                cols.append(Column.string("rec_\(j + 1)", item[j]))
                cols.append(Column.string("rec_\(j + 1)_reason", reason[j]))
                cols.append(Column(name: "rec_\(j + 1)_score", data: .float64(score[j].map { $0.isNaN ? 0 : $0 }),
                                   validity: Validity(score[j].map { !$0.isNaN })))
            }
            return c.push(frame: try c.core { try Frame(cols) })
        }
    }
}
