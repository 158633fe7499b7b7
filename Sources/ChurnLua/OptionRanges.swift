import ChurnCore
import LuaRuntime

/// Documented ranges shared by many bindings (read with `LuaTable.integer(_:in:)`,
/// `LuaCall.number(_:in:)` and friends; each function's help text states them).
/// The bounds come from `OptionLimits`, which the core's own checks use too.
enum OptionRange {
    /// Seeds: any non-negative integer.
    static let seed = 0...Int.max
    /// Counts of rows or items to show or draw: 0…2^31.
    static let size = 0...OptionLimits.size
    /// Sizes that must select something: 1…2^31.
    static let positiveSize = 1...OptionLimits.size
    /// Periods in days: 1…36500.
    static let days = 1...OptionLimits.days
    /// Bins, buckets, iterations: 1…100000.
    static let bins = 1...OptionLimits.bins
    /// Folds of cross-validation: 2…100000.
    static let folds = 2...OptionLimits.bins
    /// Trees and boosting iterations: 1…100000.
    static let trees = 1...OptionLimits.trees
    /// Repeats and resamples: 1…1000000.
    static let resamples = 1...OptionLimits.resamples
    /// Confidence levels: (0, 1).
    static let level = NumberRange.open(0, 1)
    /// Score thresholds: any number but NaN (scores need not be probabilities).
    static let threshold = NumberRange.any
}

extension LuaTable {
    /// The `seed` option (an integer >= 0), or the process-wide seed.
    func seed() throws -> UInt64 {
        try integer("seed", in: OptionRange.seed).map { UInt64($0) } ?? GlobalSeed.value
    }
}
