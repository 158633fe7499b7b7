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

    public static func megabytes(_ mb: Double) -> Int { Int(mb * 1024 * 1024) }
}
