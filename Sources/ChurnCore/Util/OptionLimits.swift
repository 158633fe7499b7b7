/// The largest values options may take, shared by the core's own option checks
/// and the Lua bindings' documented ranges (one number per concept).
///
/// They are generous for real analyses but small enough that the arithmetic
/// done with them cannot overflow `Int`/`Int64`: a count times a size stays
/// below 2^62, and 36500 days in microseconds (3.2e15) added to any date
/// parsed from text (years 0001–9999, |µs| < 2.6e17) stays far below Int64.max.
public enum OptionLimits {
    /// Rows, sample sizes, leaf sizes, display sizes: ≤ 2^31.
    public static let size = 1 << 31
    /// Periods in days (horizons, windows, grace periods, snapshot steps): ≤ 100 years.
    public static let days = 36_500
    /// The same period in minutes (session gaps).
    public static let minutes = Double(days) * 24 * 60
    /// Trees in a forest / boosting iterations.
    public static let trees = 100_000
    /// Histogram bins, buckets, folds, iterations of a search.
    public static let bins = 100_000
    /// Tree depth.
    public static let depth = 10_000
    /// Repeats and resamples (bootstrap, permutation importance).
    public static let resamples = 1_000_000
}
