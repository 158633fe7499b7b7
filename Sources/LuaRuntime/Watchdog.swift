import ExecutionControl
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The backstop behind the cooperative limits.
///
/// The hook stops Lua code and the core checks the token at chunk boundaries,
/// but code that never reaches a check — a C pattern match with exponential
/// backtracking, a `__gc` reassigned after `setmetatable`, a foreign library
/// call — cannot be stopped cooperatively. The watchdog is one process-wide
/// thread that watches the token of every running top-level call; when a
/// token has been cancelled (interrupt) or past its deadline for longer than
/// `Policy.grace` seconds, it calls `Policy.expire`, which in the CLI ends the
/// process with a clear message and exit code 124 (time limit) or 130
/// (interrupt). Library users who set no policy get no watchdog.
public final class Watchdog: @unchecked Sendable {
    public struct Policy: Sendable {
        /// Seconds a cancelled call may keep running before `expire`.
        public var grace: Double
        /// Called on the watchdog thread with the reason and the configured
        /// timeout. Expected to end the process; if it returns, the watch is
        /// dropped (it fires once per call).
        public var expire: @Sendable (_ reason: CancellationReason, _ timeout: Double, _ grace: Double) -> Void

        public init(grace: Double, expire: @escaping @Sendable (CancellationReason, Double, Double) -> Void) {
            self.grace = grace; self.expire = expire
        }
    }

    /// Set once (by the CLI, before any state runs); nil = no watchdog.
    public static var policy: Policy? {
        get { shared.withLock { shared.currentPolicy } }
        set { shared.withLock { shared.currentPolicy = newValue } }
    }

    static let shared = Watchdog()

    private struct Watch {
        let token: CancellationToken
        /// Monotonic time the stop was first due (the deadline, or when the
        /// interrupt flag was first seen).
        var dueSince: Double?
    }

    private var mutex = pthread_mutex_t()
    /// Signalled when a watch begins, so the idle thread sleeps without polling.
    private var hasWork = pthread_cond_t()
    private var currentPolicy: Policy?
    private var watches: [Int: Watch] = [:]
    private var nextID = 0
    private var threadStarted = false
    /// How often the thread looks (seconds).
    private let period = 0.05

    private init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&hasWork, nil)
    }

    private func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    /// Starts watching `token` when a policy is set; returns an id for `end`.
    func begin(_ token: CancellationToken) -> Int? {
        withLock {
            guard currentPolicy != nil else { return nil }
            nextID += 1
            watches[nextID] = Watch(token: token, dueSince: nil)
            pthread_cond_signal(&hasWork)
            if !threadStarted {
                threadStarted = true
                var tid = pthread_t()
                let started = pthread_create(&tid, nil, { _ in Watchdog.shared.run(); return nil }, nil)
                if started == 0 { pthread_detach(tid) } else { threadStarted = false }
            }
            return nextID
        }
    }

    func end(_ id: Int?) {
        guard let id else { return }
        withLock { _ = watches.removeValue(forKey: id) }
    }

    private func run() {
        while true {
            pthread_mutex_lock(&mutex)
            while watches.isEmpty { pthread_cond_wait(&hasWork, &mutex) }
            pthread_mutex_unlock(&mutex)
            usleep(useconds_t(period * 1e6))
            var due: [(CancellationReason, Double)] = []
            var policy: Policy?
            withLock {
                policy = currentPolicy
                guard let p = policy else { return }
                let now = CancellationToken.monotonicNow()
                for (id, var w) in watches {
                    guard let reason = w.token.reason else { w.dueSince = nil; watches[id] = w; continue }
                    let deadline = w.token.deadlinePointer.pointee
                    let since = w.dueSince ?? (reason == .timeLimit && deadline > 0 && deadline <= now ? deadline : now)
                    w.dueSince = since
                    if now - since > p.grace {
                        due.append((reason, w.token.timeout))
                        watches[id] = nil
                    } else {
                        watches[id] = w
                    }
                }
            }
            if let policy { for (reason, timeout) in due { policy.expire(reason, timeout, policy.grace) } }
        }
    }

    /// The text the CLI prints when the watchdog ends the process, e.g.
    /// "churnlab: time limit exceeded (3 s), and the script did not stop
    /// within 2 s (stuck in native code or a finalizer); ending the process".
    public static func message(_ reason: CancellationReason, timeout: Double, grace: Double) -> String {
        let what = CancellationError(reason: reason, timeout: timeout).description
        let g = grace == grace.rounded() && abs(grace) < 1e15 ? String(Int64(grace)) : String(grace)
        return "churnlab: \(what), and the script did not stop within \(g) s (stuck in native code or a finalizer); ending the process"
    }
}
