import ExecutionControl
import Foundation

/// Memory an operation holds while it runs (binned data, histograms, scratch
/// buffers, column storage being built), charged to the script's budget
/// *before* it is allocated and returned when the operation ends.
///
/// The budget is the one of the context current when the reservation is
/// created, so a reservation made on the caller's thread is released to the
/// same budget even from another thread. Callers release with
/// `defer { working.release() }` (deinit is only a backstop: Swift may end an
/// object's life before the end of its scope). Safe to use from worker threads.
public final class WorkingMemory: @unchecked Sendable {
    private let budget = ExecutionContext.current?.budget
    private let lock = NSLock()
    private var held = 0

    public init() {}

    /// Bytes charged and not yet released.
    public var bytes: Int { lock.lock(); defer { lock.unlock() }; return held }

    /// Charges `bytes` more, or throws `MemoryLimitError` naming `what` and its size.
    public func reserve(_ n: Int, for what: @autoclosure () -> String) throws {
        guard n > 0, let budget else { return }
        try budget.reserve(n, for: WorkingMemory.describe(what(), n))
        lock.lock(); held += n; lock.unlock()
    }

    /// Returns everything charged so far (idempotent).
    public func release() {
        lock.lock(); let n = held; held = 0; lock.unlock()
        budget?.release(n)
    }

    deinit { release() }

    /// "what (12.5 MB)".
    public static func describe(_ what: String, _ n: Int) -> String {
        let mb = Double(n) / 1_048_576
        let text = mb >= 10 ? String(Int(mb.rounded())) : String((mb * 10).rounded() / 10)
        return what.isEmpty ? "\(text) MB" : "\(what) (\(text) MB)"
    }

    /// `count × stride` with overflow turned into Int.max (which no budget admits).
    public static func bytes(_ count: Int, _ stride: Int) -> Int {
        let (p, o) = count.multipliedReportingOverflow(by: stride)
        return o || count < 0 ? Int.max : p
    }
}
