import NIOCore
import NIOPosix

/// Where the server's request tasks run.
///
/// Hummingbird reads a request on a NIO event-loop thread and runs its handler
/// in a Swift task; by default that task goes to Swift's own cooperative pool,
/// and the response goes back to the event loop: two thread hand-offs per
/// request, which a profile of single-row `/v1/score` under `wrk` showed as a
/// large share of its time (with 2 cores and 16 connections, most of its p99
/// latency). Installed as the global executor, NIO's event loops run the
/// tasks themselves, and a task resumed from an event loop stays on that loop,
/// so a request is read, scored and answered on one thread. Handlers never
/// block (event batches are fsynced on `IngestQueue`'s own thread), so the
/// loops stay free.
public enum EventLoopTasks {
    /// Makes NIO's singleton event loops (the ones Hummingbird serves on) Swift's
    /// global executor. Call once, from the main thread, before any task starts;
    /// false when the runtime does not allow it (tasks then use the cooperative pool).
    /// `threads`: the number of event loops (NIO's default: one per core); must be set before
    /// the singleton group is first used, so here.
    @discardableResult
    public static func install(threads: Int? = nil) -> Bool {
        if let threads { NIOSingletons.groupLoopCountSuggestion = threads }
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
