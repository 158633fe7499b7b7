/// The largest values options may take, shared by the core's own option checks
/// and the Lua bindings' documented ranges (one number per concept).
///
/// They are generous for real analyses but small enough that the arithmetic
/// done with them cannot overflow `Int`/`Int64` or ask for absurd allocations:
/// a count times a size stays below 2^62, and a number of days times
/// microseconds per day (8.64e10) stays below Int64.max (9.2e18) for any date
/// a `Frame` can hold.
public enum OptionLimits {
    /// Rows, sample sizes, leaf sizes, display sizes: ≤ 2^31.
    public static let size = 1 << 31
    /// Periods in days (horizons, windows, grace periods, snapshot steps): ≤ 100 years.
    public static let days = 36_500
    /// The same period in minutes (session gaps).
    public static let minutes = Double(days) * 24 * 60
    /// Trees in a forest / boosting iterations.
    public static let trees = 100_000
    /// Histogram bins, buckets, folds, resamples, iterations of a search.
    public static let bins = 100_000
    /// Tree depth.
    public static let depth = 10_000
    /// Repeats and resamples (bootstrap, permutation importance).
    public static let resamples = 1_000_000
}
