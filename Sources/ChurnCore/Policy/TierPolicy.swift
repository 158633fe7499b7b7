import Foundation

/// Today's rule as a policy: tiers over one numeric column (a risk score,
/// engagement), first match wins — `value < below` → that tier's action,
/// otherwise `fallback`. With `explore` = ε every action also gets ε / K, so
/// the rule can serve as a logging policy with full support (ε = 1: uniform).
public final class TierPolicy: DecisionPolicy {
    public struct Tier: Sendable, Equatable {
        public var below: Double
        public var action: Int
        public init(below: Double, action: Int) { self.below = below; self.action = action }
    }
    public let actions: [String]
    public let column: String?
    public let tiers: [Tier]
    public let fallback: Int
    public let explore: Double

    public init(actions: [String], column: String?, tiers: [Tier], fallback: Int, explore: Double) throws {
        guard !actions.isEmpty, Set(actions).count == actions.count else { throw FrameError.invalid("policy: actions must be distinct names, at least one") }
        guard explore >= 0, explore <= 1 else { throw FrameError.invalid("policy: explore must be in [0, 1], got \(explore)") }
        guard fallback >= 0, fallback < actions.count, tiers.allSatisfy({ $0.action >= 0 && $0.action < actions.count }) else {
            throw FrameError.invalid("policy: a tier names an unknown action")
        }
        guard tiers.allSatisfy({ !$0.below.isNaN }) else { throw FrameError.invalid("policy: a tier's 'below' is NaN") }
        guard tiers.isEmpty || column != nil else { throw FrameError.invalid("policy: tiers need a column") }
        self.actions = actions; self.column = column; self.tiers = tiers; self.fallback = fallback; self.explore = explore
    }

    public func probabilities(_ frame: Frame) throws -> [Double] {
        let n = frame.nrow, k = actions.count
        var v: [Double] = []
        if let column, !tiers.isEmpty {
            guard let d = try frame.column(column).toDoubles() else { throw FrameError.invalid("policy: column '\(column)' must be numeric") }
            v = d
        }
        let base = explore / Double(k)
        var p = [Double](repeating: base, count: n * k)
        for i in 0..<n {
            var a = fallback
            if !v.isEmpty {
                guard !v[i].isNaN else { throw FrameError.invalid("policy: column '\(column!)' is null at row \(i + 1)") }
                if let t = tiers.first(where: { v[i] < $0.below }) { a = t.action }
            }
            p[i * k + a] += 1 - explore
        }
        return p
    }

    public var contextColumns: [String] { column.map { [$0] } ?? [] }

    public var summary: String {
        explore == 1 ? "uniform over \(actions.count) actions"
            : "tiers on \(column ?? "-") (\(tiers.count) tiers, default \(actions[fallback]), explore \(explore))"
    }
}
