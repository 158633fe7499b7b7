import Foundation

/// Hands event batches from request tasks to one dispatch thread that writes
/// them with group commit: batches arriving while an fsync runs are written
/// together with the next single fsync. Keeps the blocking write and fsync off
/// Swift's cooperative threads (two on a two-core machine), which serve requests.
final class IngestQueue: @unchecked Sendable {
    private let store: OnlineStore
    private let queue = DispatchQueue(label: "churnlab.serve.ingest")
    private let lock = NSLock()
    private var pending: [([OnlineEvent], CheckedContinuation<Void, Error>)] = []
    private var draining = false

    init(store: OnlineStore) { self.store = store }

    /// Returns once `events` are durable and applied (or throws why the batch was refused).
    func submit(_ events: [OnlineEvent]) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            let start = lock.withLock { () -> Bool in
                pending.append((events, c))
                if draining { return false }
                draining = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
    }

    /// Runs `body` on the queue's thread, in order with the event batches (a blocking write and fsync of its own).
    func perform(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            queue.async {
                do { try body(); c.resume() } catch { c.resume(throwing: error) }
            }
        }
    }

    private func drain() {
        while true {
            let group = lock.withLock { () -> [([OnlineEvent], CheckedContinuation<Void, Error>)] in
                let g = pending
                pending = []
                if g.isEmpty { draining = false }
                return g
            }
            if group.isEmpty { return }
            let results = store.ingest(batches: group.map(\.0))
            for (k, r) in results.enumerated() {
                if let r { group[k].1.resume(throwing: r) } else { group[k].1.resume() }
            }
        }
    }
}
