import Foundation

/// Notices that the process that started the kernel has died.
///
/// Jupyter starts a kernel as its child and normally ends it with a shutdown
/// request; when the client is killed instead (a crashed notebook server, a
/// closed IDE, `kill -9`), the kernel is re-parented (to init or a subreaper)
/// and would otherwise run forever. Like ipykernel's `ParentPollerUnix`, the
/// control thread compares `getppid()` with the parent it started with, at
/// most once every `interval` seconds (a system call, no signal handling, so it
/// works while a cell runs native code). A kernel started by init itself (pid
/// 1, e.g. a container entry point) has no parent to watch.
struct ParentWatch {
    let originalParent = getppid()
    var interval: TimeInterval = 0.5
    private var lastCheck = Date.distantPast

    mutating func parentDied() -> Bool {
        guard originalParent > 1 else { return false }
        let now = Date()
        guard now.timeIntervalSince(lastCheck) >= interval else { return false }
        lastCheck = now
        return getppid() != originalParent
    }
}
