/// Resource limits for a Lua state. They protect the process from scripts that
/// loop forever or eat memory (the scheduler runs untrusted rule scripts).
public struct LuaLimits: Sendable, Equatable {
    /// Wall-clock seconds a `run`/`call` may take; enforced by an
    /// instruction-count hook, so it fires in Lua code (not inside a long Swift call).
    public var timeout: Double?
    /// Bytes the Lua heap may hold. Swift-side data (frames, models) is not counted.
    public var memoryBytes: Int?

    public init(timeout: Double? = nil, memoryBytes: Int? = nil) {
        self.timeout = timeout; self.memoryBytes = memoryBytes
    }

    /// Bytes in `mb` megabytes, saturating (never traps: `--memory-limit 1e20`
    /// is "no practical limit", NaN and negatives are 0).
    public static func megabytes(_ mb: Double) -> Int {
        let bytes = mb * 1024 * 1024
        guard bytes > 0 else { return 0 }
        return bytes < Double(Int.max) ? Int(bytes) : Int.max
    }
}
