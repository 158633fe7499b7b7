import ExecutionControl

/// Train/test splits of interaction rows for offline recommender evaluation.
/// Both return row indices (ascending) so callers can take frames.
public enum RecommendSplit {
    /// Per-user leave-last-out: each user's latest interaction (by time, ties
    /// by row order; by row order without times) is held out, for users with
    /// at least `minInteractions` interactions (others stay in training, as in
    /// the usual NCF/Microsoft Recommenders protocol). When the held-out item
    /// also occurs earlier for the user, all the user's rows on that item go
    /// to test, so the test item is new to the user.
    public static func leaveLastOut(users: [String], items: [String], times: [Int64]?,
                                    minInteractions: Int = 2) throws -> (train: [Int], test: [Int]) {
        guard users.count == items.count, times.map({ $0.count == users.count }) ?? true else {
            throw ClusterError.invalid("split: users, items and times must have the same length")
        }
        guard minInteractions >= 1 else { throw ClusterError.invalid("split: min_interactions must be at least 1") }
        var rowsOf: [String: [Int]] = [:]
        for r in 0..<users.count {
            if r % 65536 == 65535 { try ExecutionContext.check() }
            rowsOf[users[r], default: []].append(r)
        }
        var isTest = [Bool](repeating: false, count: users.count)
        for (_, rows) in rowsOf where rows.count >= minInteractions {
            var last = rows[0]
            for r in rows.dropFirst() where (times?[r] ?? 0) >= (times?[last] ?? 0) { last = r }
            let item = items[last]
            // A user whose every row is the held-out item keeps it in training.
            if rows.allSatisfy({ items[$0] == item }) { continue }
            for r in rows where items[r] == item { isTest[r] = true }
        }
        return ((0..<users.count).filter { !isTest[$0] }, (0..<users.count).filter { isTest[$0] })
    }

    /// Time split: rows at or after `cutoff` are test, earlier rows train.
    /// Test rows of (user, item) pairs already seen in training are dropped
    /// (re-consumption is not a recommendation target), as are test rows of
    /// users absent from training when `knownUsersOnly`.
    public static func byTime(users: [String], items: [String], times: [Int64], cutoff: Int64,
                              knownUsersOnly: Bool = false) throws -> (train: [Int], test: [Int]) {
        guard users.count == items.count, times.count == users.count else {
            throw ClusterError.invalid("split: users, items and times must have the same length")
        }
        var seen = Set<String>(), known = Set<String>()
        var train: [Int] = [], test: [Int] = []
        for r in 0..<users.count where times[r] < cutoff {
            train.append(r); seen.insert(users[r] + "\u{1}" + items[r]); known.insert(users[r])
        }
        for r in 0..<users.count where times[r] >= cutoff {
            if r % 65536 == 65535 { try ExecutionContext.check() }
            if seen.contains(users[r] + "\u{1}" + items[r]) { continue }
            if knownUsersOnly && !known.contains(users[r]) { continue }
            test.append(r)
        }
        return (train, test)
    }
}
