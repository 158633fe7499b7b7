#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why long-running work was asked to stop.
public enum CancellationReason: Int32, Sendable, Equatable {
    /// Ctrl-C, a Jupyter interrupt, a scheduler shutdown.
    case interrupted = 1
    /// The run's wall-clock deadline passed (`--timeout`).
    case timeLimit = 2
}

/// Thrown by `CancellationToken.check()` when work must stop. Its text is the
/// message a user sees ("interrupted", "time limit exceeded (3 s)").
public struct CancellationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let reason: CancellationReason
    /// The configured timeout, for the message.
    public let timeout: Double
    public init(reason: CancellationReason, timeout: Double = 0) { self.reason = reason; self.timeout = timeout }
    public var description: String {
        switch reason {
        case .interrupted: return "interrupted"
        case .timeLimit: return "time limit exceeded (\(CancellationError.format(timeout)) s)"
        }
    }
    static func format(_ t: Double) -> String {
        t == t.rounded() && abs(t) < 1e15 ? String(Int64(t)) : String(t)
    }
}

/// A cooperative stop signal shared by the Lua runtime (its instruction hook,
/// its signal handlers, its watchdog) and the numeric core (which calls
/// `check()` at chunk boundaries of every long loop).
///
/// The flag lives in manually allocated memory so that a C signal handler may
/// set it (one aligned store of a `sig_atomic_t`-sized integer is
/// async-signal-safe) and the C instruction hook may read it without calling
/// into Swift. The deadline is a `CLOCK_MONOTONIC` time in seconds.
public final class CancellationToken: @unchecked Sendable {
    /// 0 = running; otherwise a `CancellationReason` raw value. Written by
    /// `cancel`, signal handlers and the watchdog; read everywhere.
    public let flag: UnsafeMutablePointer<Int32>
    /// Monotonic seconds after which `check()` throws `.timeLimit`; 0 = none.
    /// Stored in shared memory like the flag so C code can read it too.
    public let deadlinePointer: UnsafeMutablePointer<Double>
    /// The configured timeout in seconds, for messages.
    public private(set) var timeout: Double = 0

    public init() {
        flag = .allocate(capacity: 1); flag.initialize(to: 0)
        deadlinePointer = .allocate(capacity: 1); deadlinePointer.initialize(to: 0)
    }

    deinit {
        flag.deallocate()
        deadlinePointer.deallocate()
    }

    /// Asks running work to stop. Safe from any thread.
    public func cancel(_ reason: CancellationReason) {
        // A plain word store; readers tolerate seeing it one check late.
        flag.pointee = reason.rawValue
    }

    /// Clears a cancellation (after it has been reported) and the deadline.
    public func reset() {
        flag.pointee = 0
        deadlinePointer.pointee = 0
        timeout = 0
    }

    /// Starts the clock: `check()` throws `.timeLimit` after `seconds` (nil or ≤ 0 disarms).
    public func arm(timeout seconds: Double?) {
        if let s = seconds, s > 0, s.isFinite {
            timeout = s
            deadlinePointer.pointee = CancellationToken.monotonicNow() + s
        } else {
            timeout = 0
            deadlinePointer.pointee = 0
        }
    }

    /// The reason work should stop now, if any (also turns a passed deadline into `.timeLimit`).
    public var reason: CancellationReason? {
        let f = flag.pointee
        if f != 0 { return CancellationReason(rawValue: f) ?? .interrupted }
        let d = deadlinePointer.pointee
        if d > 0 && CancellationToken.monotonicNow() > d { return .timeLimit }
        return nil
    }

    public var isCancelled: Bool { reason != nil }

    /// Throws `CancellationError` when work should stop. Cheap (a load and,
    /// with a deadline, one `clock_gettime`): call it once per chunk, not per element.
    @inline(__always)
    public func check() throws {
        if let r = reason { throw CancellationError(reason: r, timeout: timeout) }
    }

    public static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
