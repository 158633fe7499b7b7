/// Errors of the statistical tests: what was wrong with which argument.
public enum StatsError: Error, CustomStringConvertible, Equatable {
    case tooFewObservations(what: String, need: Int, got: Int)
    case nonFinite(what: String, index: Int)
    case invalid(String)

    public var description: String {
        switch self {
        case .tooFewObservations(let w, let n, let g): return "\(w) needs at least \(n) observations, got \(g)"
        case .nonFinite(let w, let i): return "\(w) must be finite numbers; value \(i + 1) is NaN or infinite"
        case .invalid(let m): return m
        }
    }
}

/// The alternative hypothesis of a test (first group vs second).
public enum Alternative: String, Sendable {
    case twoSided = "two-sided"
    /// First group's parameter is larger.
    case greater
    /// First group's parameter is smaller.
    case less
}

/// Statistical tests for retention experiments and their building blocks.
public enum Stats {
    static func checkLevel(_ level: Double) throws {
        guard level > 0 && level < 1 else { throw StatsError.invalid("confidence level must be in (0, 1), got \(level)") }
    }

    static func checkFinite(_ x: [Double], _ what: String) throws {
        for (i, v) in x.enumerated() where !v.isFinite { throw StatsError.nonFinite(what: what, index: i) }
    }

    /// p-value from a statistic with a symmetric null distribution whose upper tail is `sf`.
    static func pValue(_ stat: Double, _ alt: Alternative, sf: (Double) -> Double) -> Double {
        switch alt {
        case .twoSided: return min(1, 2 * sf(abs(stat)))
        case .greater: return sf(stat)
        case .less: return sf(-stat)
        }
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
    /// Sample variance (n − 1 denominator).
    static func variance(_ x: [Double]) -> Double {
        let m = mean(x)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
    }
}
