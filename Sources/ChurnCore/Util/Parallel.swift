import ExecutionControl
import Foundation

/// Work splitting for the numeric core. Results never depend on the number of
/// threads: callers split work into fixed chunks and combine them in order.
public enum Parallel {
    /// Process-wide default: the core count, or `CHURNLAB_THREADS` when set (a fallback;
    /// scripts pass `threads =` to a model or search instead).
    public static var defaultThreads: Int = {
        if let s = ProcessInfo.processInfo.environment["CHURNLAB_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Per-thread override set by `withThreads` (a pthread key: read on every
    /// parallel loop, so it must cost no more than a load).
    private static let overrideKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Threads to use on this thread: the innermost `withThreads` override, else `defaultThreads`.
    public static var threads: Int {
        get {
            guard let p = pthread_getspecific(overrideKey) else { return defaultThreads }
            return Int(bitPattern: p)
        }
        set { defaultThreads = newValue }
    }

    /// Runs `body` with parallel loops started from this thread limited to `n`
    /// threads (nil: unchanged). Used for the `threads =` option of models and searches.
    public static func withThreads<R>(_ n: Int?, _ body: () throws -> R) rethrows -> R {
        guard let n, n > 0 else { return try body() }
        let previous = pthread_getspecific(overrideKey)
        pthread_setspecific(overrideKey, UnsafeRawPointer(bitPattern: n))
        defer { pthread_setspecific(overrideKey, previous) }
        return try body()
    }

    /// Runs `body(i)` for i in 0..<n, concurrently when threads > 1. Worker
    /// threads run under the caller's `ExecutionContext`, so cancellation
    /// checks and memory charges inside `body` see the caller's token and budget.
    public static func forEach(_ n: Int, _ body: (Int) -> Void) {
        WorkerPool.shared.run(n, threads: threads, body)
    }

    /// Like `forEach`, for work that can fail or be cancelled: before each
    /// iteration it checks the caller's cancellation token, and after the
    /// first thrown error the remaining iterations are skipped. After the join
    /// it rethrows the first error in iteration order, or the cancellation
    /// (so an interrupt stops a parallel loop within one iteration's time).
    public static func forEachThrowing(_ n: Int, _ body: (Int) throws -> Void) throws {
        guard n > 0 else { return }
        if n == 1 || threads == 1 {
            for i in 0..<n { try ExecutionContext.check(); try body(i) }
            return
        }
        let failures = FirstFailure()
        forEach(n) { i in
            guard !failures.happened, !ExecutionContext.isCancelled else { return }
            do { try body(i) } catch { failures.record(error, at: i) }
        }
        try failures.rethrow()
        try ExecutionContext.check()
    }

    /// `mapChunks` for work that can fail or be cancelled (see `forEachThrowing`).
    public static func mapChunksThrowing<T>(_ count: Int, chunks: Int = Parallel.threads * 4,
                                            _ body: (Range<Int>) throws -> T) throws -> [T] {
        let rs = ranges(count, chunks: chunks)
        var out = [T?](repeating: nil, count: rs.count)
        try out.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            try forEachThrowing(rs.count) { i in (base + i).initialize(to: try body(rs[i])) }
        }
        return out.map { $0! }
    }

    /// Splits 0..<count into `chunks` contiguous ranges (deterministic boundaries).
    public static func ranges(_ count: Int, chunks: Int) -> [Range<Int>] {
        let k = max(1, min(chunks, count))
        return (0..<k).map { i in (count * i / k)..<(count * (i + 1) / k) }
    }

    /// Maps over chunks of 0..<count in parallel; results come back in chunk order.
    public static func mapChunks<T>(_ count: Int, chunks: Int = Parallel.threads * 4,
                                    _ body: (Range<Int>) -> T) -> [T] {
        let rs = ranges(count, chunks: chunks)
        var out = [T?](repeating: nil, count: rs.count)
        out.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            forEach(rs.count) { i in (base + i).initialize(to: body(rs[i])) }
        }
        return out.map { $0! }
    }
}

/// The first error thrown by parallel iterations (lowest iteration index wins,
/// so the reported error does not depend on scheduling).
final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    private var index = Int.max
    /// Read racily by workers to skip work once something failed.
    private(set) var happened = false

    func record(_ e: Error, at i: Int) {
        lock.lock(); defer { lock.unlock() }
        if i < index { error = e; index = i }
        happened = true
    }

    func rethrow() throws {
        lock.lock(); let e = error; lock.unlock()
        if let e { throw e }
    }
}
