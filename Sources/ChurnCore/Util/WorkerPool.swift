import ExecutionControl
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fork–join pool of persistent POSIX threads that runs `body(i)` for
/// i in 0..<n, the calling thread taking part.
///
/// Why not `DispatchQueue.concurrentPerform`: on Linux, libdispatch's
/// thread-pool monitor opens `/proc/<tid>/stat` of every worker thread and
/// crashes the process (SIGILL in `_dispatch_workq_monitor_pools`) when it
/// cannot. Under `--sandbox` the Landlock layer allows `/proc/self` only —
/// allowing all of `/proc` would let a sandboxed process read other
/// processes' `environ` — and workers created later have no `/proc/self`
/// path the rules could name in advance. This pool needs nothing from `/proc`.
/// It also keeps the thread count exact (`Parallel.threads`), which the
/// determinism guarantee is stated in terms of.
///
/// One job runs at a time (callers from different threads queue on
/// `jobLock`); a `forEach` issued from inside a job (on a worker or on the
/// caller taking part) runs inline, so nested
/// parallel loops cannot deadlock. Iterations are claimed one at a time under
/// the mutex: callers pass chunks (tens to thousands), not elements.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    private var mutex = pthread_mutex_t()
    private var workAvailable = pthread_cond_t()
    private var jobDone = pthread_cond_t()
    private var jobLock = pthread_mutex_t()
    private var workers = 0

    // The current job, guarded by `mutex`.
    private var body: ((Int) -> Void)?
    private var context: ExecutionContext?
    private var count = 0
    private var next = 0
    private var finished = 0

    private static let workerKey: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// True on the pool's own threads and on a caller while its job runs:
    /// a loop started there runs inline (the pool is busy with the outer one).
    static var insideJob: Bool { pthread_getspecific(workerKey) != nil }

    private init() {
        pthread_mutex_init(&mutex, nil)
        pthread_mutex_init(&jobLock, nil)
        pthread_cond_init(&workAvailable, nil)
        pthread_cond_init(&jobDone, nil)
    }

    /// Runs `body(i)` for every i in 0..<n on up to `threads` threads (this
    /// one included); returns when all iterations have finished.
    func run(_ n: Int, threads: Int, _ body: (Int) -> Void) {
        if n <= 1 || threads <= 1 || WorkerPool.insideJob {
            for i in 0..<n { body(i) }
            return
        }
        pthread_mutex_lock(&jobLock)
        pthread_setspecific(WorkerPool.workerKey, UnsafeRawPointer(bitPattern: 1))
        defer {
            pthread_setspecific(WorkerPool.workerKey, nil)
            pthread_mutex_unlock(&jobLock)
        }
        ensureWorkers(min(threads, n) - 1)
        withoutActuallyEscaping(body) { body in
            pthread_mutex_lock(&mutex)
            self.body = body
            self.context = ExecutionContext.current
            count = n; next = 0; finished = 0
            pthread_cond_broadcast(&workAvailable)
            // The caller works too, then waits for iterations still running elsewhere.
            while next < count {
                let i = next; next += 1
                pthread_mutex_unlock(&mutex)
                body(i)
                pthread_mutex_lock(&mutex)
                finished += 1
            }
            while finished < count { pthread_cond_wait(&jobDone, &mutex) }
            self.body = nil
            self.context = nil
            pthread_mutex_unlock(&mutex)
        }
    }

    /// Starts workers until `n` exist (they live for the process).
    private func ensureWorkers(_ n: Int) {
        while workers < n {
            var tid = pthread_t()
            let me = Unmanaged.passUnretained(self).toOpaque()
            #if canImport(Glibc)
            let rc = pthread_create(&tid, nil, { arg in
                Unmanaged<WorkerPool>.fromOpaque(arg!).takeUnretainedValue().workerLoop()
                return nil
            }, me)
            #else
            let rc = pthread_create(&tid, nil, { arg in
                Unmanaged<WorkerPool>.fromOpaque(arg).takeUnretainedValue().workerLoop()
                return nil
            }, me)
            #endif
            // Without a new thread the job still completes: the caller runs
            // every iteration the workers do not take.
            guard rc == 0 else { return }
            pthread_detach(tid)
            workers += 1
        }
    }

    private func workerLoop() {
        pthread_setspecific(WorkerPool.workerKey, UnsafeRawPointer(bitPattern: 1))
        pthread_mutex_lock(&mutex)
        while true {
            while body == nil || next >= count { pthread_cond_wait(&workAvailable, &mutex) }
            let i = next; next += 1
            let job = body!, ctx = context
            pthread_mutex_unlock(&mutex)
            ExecutionContext.run(in: ctx) { job(i) }
            pthread_mutex_lock(&mutex)
            finished += 1
            if finished == count { pthread_cond_signal(&jobDone) }
        }
    }
}
