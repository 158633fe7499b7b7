/// Documented ranges of the resource limits (`--timeout`, `--memory-limit`, the
/// notebook and rules commands). A limit is converted to integer nanoseconds /
/// bytes somewhere (deadlines, the allocator's budget, the watchdog), so NaN,
/// ±inf and 1e300 must be refused up front: `--memory-limit 1e20` used to trap
/// in `Int(mb * 1024 * 1024)`.
extension LuaLimits {
    /// Seconds: (0, 31536000] — up to a year.
    public static let timeoutRange = NumberRange.openClosed(0, 31_536_000)
    /// Megabytes: (0, 16777216] — up to 16 TiB.
    public static let memoryMegabytesRange = NumberRange.openClosed(0, 16_777_216)

    /// nil when both limits are in range; otherwise the message naming the flag, e.g.
    /// "--memory-limit must be a number in (0, 16777216] (megabytes), got 1e+20".
    public static func rangeError(timeout: Double?, memoryMegabytes: Double?,
                                  timeoutFlag: String = "--timeout", memoryFlag: String = "--memory-limit") -> String? {
        if let t = timeout, !timeoutRange.contains(t) {
            return "\(timeoutFlag) must be \(timeoutRange) (seconds), got \(LuaValue.format(t))"
        }
        if let m = memoryMegabytes, !memoryMegabytesRange.contains(m) {
            return "\(memoryFlag) must be \(memoryMegabytesRange) (megabytes), got \(LuaValue.format(m))"
        }
        return nil
    }
}
