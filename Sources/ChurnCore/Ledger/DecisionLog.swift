import Foundation

/// The ledger's decisions as a log frame for off-policy evaluation and learning: one row per
/// decision with `action`, `propensity`, the context object expanded into columns and,
/// given outcomes, `retained` and `reward` joined by user and horizon (`OutcomeTable`).
/// This is the frame `cl.policy.evaluate` and `policy:update` read.
///
/// Rows with a stored distribution (schema 3) also get `p_<action>` columns — every action
/// any kept row could have logged, 0 where a row's rule could not take it, null for rows
/// written before schema 3 — and their `propensity` is the marginal P(logged action): a
/// policy's own "none" and a holdout control are the same treatment for the outcome, so
/// off-policy weights must use P(none) = holdout + (1 − holdout)·p(none), not either part.
public enum DecisionLog {
    public struct Options: Sendable {
        /// Reward = value × retained − cost; nil: reward = retained (0/1) and costs are ignored.
        public var value: Double?
        /// Keep only rows that have a propensity and (when outcomes are given) an outcome.
        public var usableOnly: Bool
        public init(value: Double? = nil, usableOnly: Bool = false) { self.value = value; self.usableOnly = usableOnly }
    }

    /// The log frame and how many rows were left out (no propensity / no outcome) when `usableOnly`.
    public static func frame(_ rows: [LedgerDecision], outcomes: OutcomeTable? = nil, options: Options = Options()) throws
        -> (frame: Frame, noPropensity: Int, noOutcome: Int) {
        var kept: [LedgerDecision] = [], retained: [Bool?] = [], noP = 0, noO = 0
        kept.reserveCapacity(rows.count)
        for r in rows {
            let o = outcomes?.outcome(user: r.userID, asOfDay: r.asOfDay, horizonDays: r.horizonDays)
            if options.usableOnly {
                if r.propensity == nil { noP += 1; continue }
                if outcomes != nil && o == nil { noO += 1; continue }
            }
            kept.append(r); retained.append(o)
        }
        // Context objects → columns (first-seen key order; numbers, bools → float, text → string).
        var keys: [String] = [], numeric: [String: [Double?]] = [:], text: [String: [String?]] = [:]
        let n = kept.count
        try ExecutionContext.checkMemory(n * 64, for: "decision log")
        for (i, r) in kept.enumerated() {
            if i & 0xFFFF == 0xFFFF { try ExecutionContext.check() }
            guard r.context != "{}", !r.context.isEmpty,
                  let obj = try? JSONSerialization.jsonObject(with: Data(r.context.utf8)) as? [String: Any] else { continue }
            for (k, v) in obj {
                if numeric[k] == nil && text[k] == nil { keys.append(k) }
                if let s = v as? String {
                    if text[k] == nil { text[k] = [String?](repeating: nil, count: n) }
                    text[k]![i] = s
                } else if let x = v as? NSNumber {
                    if numeric[k] == nil { numeric[k] = [Double?](repeating: nil, count: n) }
                    numeric[k]![i] = x.doubleValue
                }
            }
        }
        // Stored distributions → p_<action> columns and the marginal propensity.
        var pNames: [String] = [], pIndex: [String: Int] = [:]
        var dists = [[String: Double]?](repeating: nil, count: n)
        for (i, r) in kept.enumerated() {
            guard let text = r.probabilities,
                  let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
            var d: [String: Double] = [:]
            for (a, v) in obj { if let x = v as? NSNumber { d[a] = x.doubleValue } }
            dists[i] = d
        }
        for d in dists { if let d { for a in d.keys.sorted() where pIndex[a] == nil { pIndex[a] = pNames.count; pNames.append(a) } } }
        let propensities: [Double] = kept.indices.map { i in dists[i]?[kept[i].action] ?? kept[i].propensity ?? .nan }
        let propensityNull = propensities.map(\.isNaN)
        var cols: [Column] = [
            .string("run_id", kept.map(\.runID), category: true), .string("as_of", kept.map(\.asOf), category: true),
            .string("user_id", kept.map(\.userID)), .string("rule", kept.map(\.rule), category: true),
            .string("group", kept.map(\.group), category: true), .string("action", kept.map(\.action), category: true),
            .float("propensity", propensities, nulls: propensityNull.contains(true) ? propensityNull : nil),
            .float("cost", kept.map(\.cost)),
            .int("horizon_days", kept.map { Int64($0.horizonDays ?? 0) }, nulls: kept.contains { $0.horizonDays == nil } ? kept.map { $0.horizonDays == nil } : nil),
        ]
        if !pNames.isEmpty {
            let missing = dists.map { $0 == nil }
            for a in pNames {
                cols.append(.float("p_" + a, dists.map { $0.map { $0[a] ?? 0 } ?? .nan }, nulls: missing.contains(true) ? missing : nil))
            }
        }
        let taken = Set(cols.map(\.name) + ["retained", "reward"])
        for k in keys.sorted() where !taken.contains(k) {
            if let t = text[k], numeric[k] == nil { cols.append(.string(k, t)) }
            else if let v = numeric[k] {
                // A key holding text in some rows and numbers in others keeps the numbers.
                cols.append(.float(k, v.map { $0 ?? .nan }, nulls: v.contains { $0 == nil } ? v.map { $0 == nil } : nil))
            }
        }
        if outcomes != nil {
            let missing = retained.map { $0 == nil }
            let nulls = missing.contains(true) ? missing : nil
            cols.append(.float("retained", retained.map { $0 == true ? 1 : 0 }, nulls: nulls))
            cols.append(.float("reward", zip(retained, kept).map { o, r in
                let y = o == true ? 1.0 : 0.0
                return options.value.map { $0 * y - r.cost } ?? y
            }, nulls: nulls))
        }
        return (try Frame(cols), noP, noO)
    }
}
