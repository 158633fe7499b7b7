/// ChurnCore: the numeric core of ChurnLab — frames and I/O, features and labels,
/// models, metrics, retention rules, charts. It knows nothing of Lua.
public enum ChurnCore {
    public static let version = "0.1.0"
}

// Every long loop in the core checks the caller's cancellation token and
// charges large allocations to its memory budget; re-exported so the binding
// layer sees `CancellationError` and `MemoryLimitError` without another import.
@_exported import ExecutionControl
