import ExecutionControl

/// Cold start by persona: a new user with no interactions has no
/// collaborative signal, but their persona (a k-means label, a segment) does —
/// people like them. Items are ranked, per persona, by the number of distinct
/// training users of that persona who interacted with them (the popularity
/// baseline restricted to the persona; ties by item index, deterministic).
/// Users whose persona has no training users fall back to global popularity.
public struct PersonaPopularity: Sendable {
    public let matrix: InteractionMatrix
    /// Persona of each user id that was given one.
    public let personaOf: [String: String]
    /// Per persona, the distinct-user count of every item (dense over `matrix.items`).
    public let counts: [String: [Double]]
    /// Distinct-user count of every item over all training users (the fill).
    let global: [Double]

    /// `users[r]` has persona `personas[r]` (training users and new users alike;
    /// a user listed twice keeps the first persona).
    public init(_ m: InteractionMatrix, users: [String], personas: [String]) throws {
        guard users.count == personas.count else {
            throw ClusterError.invalid("\(personas.count) personas for \(users.count) users")
        }
        var of: [String: String] = [:]
        for (u, p) in zip(users, personas) where of[u] == nil { of[u] = p }
        try ExecutionContext.checkMemory(Set(personas).count * m.items.count * 8, for: "popularity per persona")
        var counts: [String: [Double]] = [:]
        for (u, row) in zip(m.users, m.byUser) {
            guard let p = of[u] else { continue }
            var c = counts[p] ?? [Double](repeating: 0, count: m.items.count)
            for (i, _) in row { c[i] += 1 }   // rows hold each item once: distinct users
            counts[p] = c
        }
        matrix = m; personaOf = of; self.counts = counts
        global = m.byItem.map { Double($0.count) }
    }

    /// The user's persona and top k (indices into `matrix.items`), or nil when the user has no persona or
    /// nobody of that persona interacted with anything in training. The first
    /// `fromPersona` items are popular in the persona; when the persona's
    /// users touched fewer than k items, globally popular items fill the rest.
    public func rank(user: String, k: Int, excludeSeen: Bool) -> (persona: String, items: Recommendation, fromPersona: Int)? {
        guard let p = personaOf[user], let c = counts[p] else { return nil }
        var skip = excludeSeen ? Set(matrix.seenItems(user)) : []
        let top = TopN.select(c, k: k, skip: skip).filter { c[$0] > 0 }
        skip.formUnion(top)
        let fill = top.count < k ? TopN.select(global, k: k - top.count, skip: skip) : []
        return (p, Recommendation(items: top + fill,
                               scores: top.map { c[$0] } + fill.map { global[$0] },
                               because: (top + fill).map { _ in nil }), top.count)
    }
}
