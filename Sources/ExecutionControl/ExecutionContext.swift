#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What governs the work running on this thread: its cancellation token and
/// memory budget. The Lua runtime installs its state's context for the
/// duration of each top-level call; `Parallel` hands it to worker threads; the
/// numeric core reads it with `ExecutionContext.check()` and
/// `ExecutionContext.reserve(_:)`. Code running without a context (plain
/// Swift callers, unit tests) is never cancelled and never limited.
public final class ExecutionContext: @unchecked Sendable {
    public let token: CancellationToken
    public let budget: MemoryBudget

    public init(token: CancellationToken = CancellationToken(), budget: MemoryBudget = MemoryBudget()) {
        self.token = token; self.budget = budget
    }

    // MARK: the current thread's context

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// The context installed on this thread, if any (unretained storage: the
    /// installer keeps it alive for the duration of `run(in:_:)`).
    public static var current: ExecutionContext? {
        guard let p = pthread_getspecific(key) else { return nil }
        return Unmanaged<ExecutionContext>.fromOpaque(p).takeUnretainedValue()
    }

    /// Runs `body` with `context` installed on this thread, restoring the
    /// previous one afterwards (nesting is fine).
    public static func run<T>(in context: ExecutionContext?, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        let new = context.map { UnsafeMutableRawPointer(Unmanaged.passUnretained($0).toOpaque()) }
        if previous == new { return try body() }
        pthread_setspecific(key, new)
        defer { pthread_setspecific(key, previous) }
        return try withExtendedLifetime(context) { try body() }
    }

    /// Throws `CancellationError` when the current work should stop. Call at
    /// chunk boundaries of long loops (every ~10⁴–10⁶ elements of work).
    @inline(__always)
    public static func check() throws {
        guard let p = pthread_getspecific(key) else { return }
        try Unmanaged<ExecutionContext>.fromOpaque(p).takeUnretainedValue().token.check()
    }

    /// True when the current work should stop (for loops that cannot throw:
    /// they stop early and their caller calls `check()`).
    public static var isCancelled: Bool { current?.token.isCancelled ?? false }

    /// Charges `bytes` to the current budget before allocating them.
    public static func reserve(_ bytes: Int, for what: @autoclosure () -> String = "") throws {
        try current?.budget.reserve(bytes, for: what())
    }

    public static func release(_ bytes: Int) { current?.budget.release(bytes) }

    /// Throws if a transient allocation of `bytes` would not fit.
    public static func checkMemory(_ bytes: Int, for what: @autoclosure () -> String = "") throws {
        try current?.budget.check(bytes, for: what())
    }
}
