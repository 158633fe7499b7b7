import ExecutionControl

/// The frame `:recommend` returns — user_id, rank, item, score, reason — built
/// as dictionary-encoded columns straight from item indices.
///
/// Recommending to every user yields users × k rows (2M for 200k users and
/// k = 10). Formatting a String per row for the user, the item and the reason
/// and hashing each into a column dictionary cost more than scoring did (the
/// popularity model, which computes almost nothing, took as long as ALS). Here a
/// row is four integers and a score, appended per chunk of users in parallel;
/// the dictionaries are fixed up front — the distinct items (the model's, then
/// popular items it lacks), the distinct reasons (one per item that can be a
/// "because", the popularity ones) and the requested users — and each column is finally renumbered in
/// first-appearance order, so the frame is exactly the one built from strings
/// (same codes, same dictionaries), at O(rows) integer work.
public struct RecommendationFrame: Sendable {
    /// Where one user's list comes from.
    public enum Source: Sendable {
        /// The personalised model: items and reasons index its `itemIds`.
        case model
        /// Popularity (items index the training matrix); `cold` marks an unknown
        /// user of a personalised model.
        case popular(cold: Bool)
        /// The persona's popular items for the first `fromPersona` rows, then
        /// global popularity (items index the training matrix).
        case persona(String, fromPersona: Int, cold: Bool)
    }

    /// The rows of one chunk of users.
    public struct Rows: Sendable {
        var user: [Int32] = [], rank: [Int64] = [], item: [Int32] = [], score: [Double] = [], reason: [Int32] = []
        public init(capacity: Int) {
            user.reserveCapacity(capacity); rank.reserveCapacity(capacity); item.reserveCapacity(capacity)
            score.reserveCapacity(capacity); reason.reserveCapacity(capacity)
        }
    }

    /// Distinct item ids: the model's, then the popularity items the model lacks.
    let itemNames: [String]
    /// Model item index → item code, and popularity (training matrix) item index → item code.
    let modelCode: [Int32], popularCode: [Int32]
    /// Distinct reasons: "because you engaged with <item>" for the model's items,
    /// "popular", "popular (new user)", one per persona; `becauseCode[j]` is
    /// the reason naming model item j.
    let reasonNames: [String]
    let becauseCode: [Int32]
    let popularReason: Int32, newUserReason: Int32
    let personaCode: [String: Int32]

    /// `modelItems`: the personalised model's item universe (nil for the
    /// popularity model); `titles`: display names of items in reasons;
    /// `personas`: the persona names a `.persona` list may carry.
    public init(modelItems: [String]?, popularItems: [String], titles: [String: String], personas: [String]) {
        let model = modelItems ?? popularItems
        var items = Dictionary<String, Int32>(), names: [String] = []
        items.reserveCapacity(model.count)
        func code(_ id: String) -> Int32 {
            if let k = items[id] { return k }
            names.append(id); items[id] = Int32(names.count - 1)
            return Int32(names.count - 1)
        }
        modelCode = model.map(code)
        popularCode = popularItems.map(code)
        itemNames = names
        var reasons: [String: Int32] = [:], rnames: [String] = []
        func reason(_ r: String) -> Int32 {
            if let k = reasons[r] { return k }
            rnames.append(r); reasons[r] = Int32(rnames.count - 1)
            return Int32(rnames.count - 1)
        }
        becauseCode = model.map { reason("because you engaged with " + (titles.isEmpty ? $0 : titles[$0] ?? $0)) }
        popularReason = reason("popular"); newUserReason = reason("popular (new user)")
        var pc: [String: Int32] = [:]
        for p in personas where pc[p] == nil { pc[p] = reason("popular in your persona (\(p))") }
        reasonNames = rnames; personaCode = pc
    }

    /// Appends the rows of `list` (the user at position `user` of the requested users).
    public func append(user: Int, _ list: Recommendation, _ source: Source, to rows: inout Rows) {
        let u = Int32(user)
        for p in 0..<list.items.count {
            rows.user.append(u); rows.rank.append(Int64(p + 1)); rows.score.append(list.scores[p])
            switch source {
            case .model:
                rows.item.append(modelCode[list.items[p]])
                rows.reason.append(list.because[p].map { becauseCode[$0] } ?? popularReason)
            case .popular(let cold):
                rows.item.append(popularCode[list.items[p]])
                rows.reason.append(cold ? newUserReason : popularReason)
            case .persona(let name, let fromPersona, let cold):
                rows.item.append(popularCode[list.items[p]])
                rows.reason.append(p < fromPersona ? personaCode[name] ?? popularReason : cold ? newUserReason : popularReason)
            }
        }
    }

    /// The frame of all rows, chunks in order; `users` are the requested user ids
    /// (row user codes are positions in it; a user listed twice is one id).
    public func frame(users: [String], parts: [Rows]) throws -> Frame {
        let n = parts.reduce(0) { $0 + $1.user.count }
        try ExecutionContext.checkMemory(n * 28, for: "the recommendations frame")
        var user = [Int32](), rank = [Int64](), item = [Int32](), score = [Double](), reason = [Int32]()
        user.reserveCapacity(n); rank.reserveCapacity(n); item.reserveCapacity(n); score.reserveCapacity(n); reason.reserveCapacity(n)
        for p in parts {
            user += p.user; rank += p.rank; item += p.item; score += p.score; reason += p.reason
        }
        try ExecutionContext.check()
        let (userCode, userNames) = InteractionMatrix.factorize(users, distinct: users.count)
        for r in 0..<n { user[r] = userCode[Int(user[r])] }
        let userDict = Self.renumber(&user, userNames), itemDict = Self.renumber(&item, itemNames)
        let reasonDict = Self.renumber(&reason, reasonNames)
        return try Frame([
            Column(name: "user_id", data: .string(codes: user, dictionary: userDict)),
            Column(name: "rank", data: .int64(rank)),
            Column(name: "item", data: .string(codes: item, dictionary: itemDict)),
            Column(name: "score", data: .float64(score)),
            Column(name: "reason", data: .string(codes: reason, dictionary: reasonDict)),
        ])
    }

    /// Codes renumbered in order of first appearance, and the dictionary of the
    /// codes used (distinct names in, distinct names out): what building the
    /// column from the names one by one gives.
    static func renumber(_ codes: inout [Int32], _ names: [String]) -> [String] {
        var remap = [Int32](repeating: -1, count: names.count), used: [String] = []
        codes.withUnsafeMutableBufferPointer { cb in
            for r in cb.indices {
                let c = Int(cb[r])
                var m = remap[c]
                if m < 0 { m = Int32(used.count); remap[c] = m; used.append(names[c]) }
                cb[r] = m
            }
        }
        return used
    }
}
