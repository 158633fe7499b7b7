import Foundation

/// A fitted recommender as a JSON file: the spec (kind and options), the
/// training interactions (users, items and per-user rows, so item indices
/// keep their order), the catalogue of a content model, ALS factors, and the
/// parts of a hybrid. Loading validates every count, index and number before
/// anything is rebuilt; models other than ALS are refitted from the stored
/// interactions (their fits are deterministic and cheap), ALS factors are
/// restored as saved.
public struct RecommenderFile: Codable, Sendable {
    public static let format = "churnlab.recommender"
    public static let version = 1

    public struct Spec: Codable, Sendable {
        public var kind: String
        public var neighbours: Int?
        public var als: ALSFile?
        public var content: ContentFile?
        public var parts: [Part]?
        public init(kind: String) { self.kind = kind }
    }
    public struct Part: Codable, Sendable {
        public var weight: Double
        public var spec: Spec
        public init(weight: Double, spec: Spec) { self.weight = weight; self.spec = spec }
    }
    public struct ALSFile: Codable, Sendable {
        public var factors: Int, iterations: Int, cgSteps: Int, seed: UInt64
        public var regularization: Double, alpha: Double
        public var userFactors: [Double], itemFactors: [Double], loss: [Double]
        public init(factors: Int, iterations: Int, cgSteps: Int, seed: UInt64, regularization: Double, alpha: Double,
                    userFactors: [Double], itemFactors: [Double], loss: [Double]) {
            self.factors = factors; self.iterations = iterations; self.cgSteps = cgSteps; self.seed = seed
            self.regularization = regularization; self.alpha = alpha
            self.userFactors = userFactors; self.itemFactors = itemFactors; self.loss = loss
        }
    }
    public struct ContentFile: Codable, Sendable {
        public var ids: [String], texts: [String], titles: [String]?
        public var sublinearTF: Bool, stopWords: [String]
        public init(ids: [String], texts: [String], titles: [String]?, sublinearTF: Bool, stopWords: [String]) {
            self.ids = ids; self.texts = texts; self.titles = titles; self.sublinearTF = sublinearTF; self.stopWords = stopWords
        }
    }

    public var format: String = RecommenderFile.format
    public var version: Int = RecommenderFile.version
    public var users: [String], items: [String]
    /// rows[u] = [(item index, weight)] as two parallel arrays.
    public var rowItems: [[Int]], rowWeights: [[Double]]
    public var spec: Spec

    public init(matrix m: InteractionMatrix, spec: Spec) {
        users = m.users; items = m.items
        rowItems = m.byUser.map { $0.map(\.0) }; rowWeights = m.byUser.map { $0.map(\.1) }
        self.spec = spec
    }

    public func write(to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try enc.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(_ path: String) throws -> RecommenderFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ClusterError.invalid("cannot read recommender file '\(path)': \(error.localizedDescription)")
        }
        let f: RecommenderFile
        do { f = try JSONDecoder().decode(RecommenderFile.self, from: data) } catch {
            throw ClusterError.invalid("'\(path)' is not a ChurnLab recommender file (\(error))")
        }
        try f.validate(path)
        return f
    }

    func validate(_ path: String) throws {
        func bad(_ s: String) -> ClusterError { .invalid("recommender file '\(path)': \(s)") }
        guard format == Self.format else { throw bad("format is '\(format)', expected '\(Self.format)'") }
        guard version == Self.version else { throw bad("version \(version) is not supported (this ChurnLab reads \(Self.version))") }
        guard rowItems.count == users.count, rowWeights.count == users.count else { throw bad("\(rowItems.count) rows for \(users.count) users") }
        guard Set(users).count == users.count, Set(items).count == items.count else { throw bad("duplicate user or item ids") }
        for (u, (its, ws)) in zip(rowItems, rowWeights).enumerated() {
            guard its.count == ws.count else { throw bad("user \(u + 1): \(its.count) items for \(ws.count) weights") }
            guard its.allSatisfy({ $0 >= 0 && $0 < items.count }) else { throw bad("user \(u + 1): item index out of range") }
            guard ws.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw bad("user \(u + 1): weights must be finite and >= 0") }
        }
        try validate(spec, bad)
    }

    func validate(_ s: Spec, _ bad: (String) -> ClusterError) throws {
        switch s.kind {
        case "popular": break
        case "item_knn", "user_knn":
            guard let k = s.neighbours, k >= 1, k <= 100_000 else { throw bad("\(s.kind) needs neighbours in 1…100000") }
        case "als":
            guard let a = s.als else { throw bad("als without factors") }
            guard a.factors >= 1, a.factors <= 1024, a.iterations >= 1, a.cgSteps >= 1,
                  a.regularization.isFinite, a.regularization >= 0, a.alpha.isFinite, a.alpha >= 0 else { throw bad("als options out of range") }
            guard a.userFactors.count == users.count * a.factors, a.itemFactors.count == items.count * a.factors else {
                throw bad("als factor matrices do not match \(users.count) users and \(items.count) items × \(a.factors)")
            }
            guard a.userFactors.allSatisfy({ $0.isFinite }), a.itemFactors.allSatisfy({ $0.isFinite }) else { throw bad("als factors must be finite") }
        case "content":
            guard let c = s.content, c.ids.count == c.texts.count, c.titles.map({ $0.count == c.ids.count }) ?? true else {
                throw bad("content catalogue: ids, texts and titles must have the same length")
            }
        case "hybrid":
            guard let parts = s.parts, !parts.isEmpty else { throw bad("hybrid without parts") }
            for p in parts {
                guard p.weight.isFinite, p.weight >= 0 else { throw bad("hybrid weights must be finite and >= 0") }
                guard p.spec.kind != "hybrid" else { throw bad("a hybrid part is itself a hybrid") }
                try validate(p.spec, bad)
            }
        default: throw bad("unknown recommender kind '\(s.kind)'")
        }
    }

    /// The training interactions.
    public func matrix() throws -> InteractionMatrix {
        return try InteractionMatrix(users: users, items: items, rows: zip(rowItems, rowWeights).map { Array(zip($0, $1)) })
    }
}

extension InteractionMatrix {
    /// A matrix from saved parts (ids in index order, rows by user).
    public init(users: [String], items: [String], rows: [[(Int, Double)]]) throws {
        guard rows.count == users.count else { throw ClusterError.invalid("\(rows.count) rows for \(users.count) users") }
        var byItem = [[(Int, Double)]](repeating: [], count: items.count)
        for (u, row) in rows.enumerated() { for (i, w) in row { byItem[i].append((u, w)) } }
        var ui: [String: Int] = [:], ii: [String: Int] = [:]
        for (k, v) in users.enumerated() { ui[v] = k }
        for (k, v) in items.enumerated() { ii[v] = k }
        self.users = users; self.items = items; userIndex = ui; itemIndex = ii
        byUser = rows.map { $0.sorted { $0.0 < $1.0 } }; self.byItem = byItem
    }
}

extension ALSModel {
    /// A fitted model from saved factors (checked by `RecommenderFile`).
    public init(matrix: InteractionMatrix, options: ALSOptions, userFactors: [Double], itemFactors: [Double], loss: [Double]) {
        self.init(matrix: matrix, factors: options.factors, userFactors: userFactors, itemFactors: itemFactors, options: options, loss: loss)
    }
}
