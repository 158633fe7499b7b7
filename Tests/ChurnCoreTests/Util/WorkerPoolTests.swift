@testable import ChurnCore
import ExecutionControl
import XCTest

final class WorkerPoolTests: XCTestCase {
    /// Every iteration runs exactly once, whatever the thread count.
    func testEveryIterationOnce() {
        for threads in [1, 2, 3, 8] {
            for n in [0, 1, 2, 7, 1000] {
                let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(n, 1))
                hits.initialize(repeating: 0)
                defer { hits.deallocate() }
                WorkerPool.shared.run(n, threads: threads) { i in hits[i] += 1 }
                XCTAssertEqual(Array(hits.prefix(n)), [Int](repeating: 1, count: n), "threads \(threads), n \(n)")
            }
        }
    }

    /// A parallel loop inside a parallel loop runs inline instead of deadlocking.
    func testNestedRunsInline() {
        let out = UnsafeMutableBufferPointer<Int>.allocate(capacity: 16)
        out.initialize(repeating: 0)
        defer { out.deallocate() }
        WorkerPool.shared.run(4, threads: 4) { i in
            WorkerPool.shared.run(4, threads: 4) { j in out[i * 4 + j] = i * 4 + j + 1 }
        }
        XCTAssertEqual(Array(out), Array(1...16))
        // Also through Parallel (bootstrap → ROC AUC nests like this), many times
        // so that the caller thread surely runs some outer iterations itself.
        for _ in 0..<200 {
            let sums = Parallel.mapChunks(64, chunks: 8) { r in Parallel.mapChunks(r.count, chunks: 4) { $0.count }.reduce(0, +) }
            XCTAssertEqual(sums.reduce(0, +), 64)
        }
    }

    /// Workers see the caller's execution context (cancellation and budget).
    func testWorkersRunUnderTheCallersContext() {
        let ctx = ExecutionContext()
        let seen = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 64)
        seen.initialize(repeating: false)
        defer { seen.deallocate() }
        ExecutionContext.run(in: ctx) {
            WorkerPool.shared.run(64, threads: 4) { i in seen[i] = ExecutionContext.current === ctx }
        }
        XCTAssertTrue(seen.allSatisfy { $0 })
        XCTAssertNil(ExecutionContext.current)
    }

    /// Callers on different threads take turns (one job at a time).
    func testConcurrentCallers() {
        let total = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        total.initialize(to: 0)
        defer { total.deallocate() }
        var lock = pthread_mutex_t()
        pthread_mutex_init(&lock, nil)
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                WorkerPool.shared.run(100, threads: 3) { _ in
                    pthread_mutex_lock(&lock); total.pointee += 1; pthread_mutex_unlock(&lock)
                }
                group.leave()
            }
        }
        group.wait()
        XCTAssertEqual(total.pointee, 400)
    }
}
