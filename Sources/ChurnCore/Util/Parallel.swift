import ExecutionControl
import Foundation

/// Work splitting for the numeric core. Results never depend on the number of
/// threads: callers split work into fixed chunks and combine them in order.
public enum Parallel {
    /// Threads to use; `CHURNLAB_THREADS` overrides the core count.
    public static var threads: Int = {
        if let s = ProcessInfo.processInfo.environment["CHURNLAB_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Runs `body(i)` for i in 0..<n, concurrently when threads > 1. Worker
    /// threads run under the caller's `ExecutionContext`, so cancellation
    /// checks and memory charges inside `body` see the caller's token and budget.
    public static func forEach(_ n: Int, _ body: (Int) -> Void) {
        WorkerPool.shared.run(n, threads: threads, body)
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
