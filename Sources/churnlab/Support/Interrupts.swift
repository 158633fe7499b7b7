import Foundation
import LuaRuntime

/// SIGINT (Ctrl-C, Jupyter's "signal" interrupt mode) while Lua code runs
/// sets the state's cancellation token instead of killing the process: the
/// hook stops Lua code, native loops stop at their next chunk boundary, and
/// the script gets an "interrupted" error. The watchdog (see
/// `ProcessBackstop`) ends the process if the work does not stop.
enum Interrupts {
    nonisolated(unsafe) static var handle: UnsafeMutableRawPointer?
    nonisolated(unsafe) static var hit: sig_atomic_t = 0
    nonisolated(unsafe) static var secondExits = false

    /// With `secondInterruptExits`, a Ctrl-C while an earlier one has not
    /// yet stopped the script ends the process at once (exit code 130), as
    /// impatient users expect from `run`.
    static func install(for state: LuaState, secondInterruptExits: Bool = false) {
        handle = state.interruptHandle
        secondExits = secondInterruptExits
        exitCode = ProcessBackstop.interruptExitCode
        if secondMessage == nil {
            // Rendered now: the handler must not allocate.
            let bytes = Array(ProcessBackstop.secondInterruptMessage.utf8)
            let buf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
            _ = buf.initialize(from: bytes)
            secondMessage = UnsafeBufferPointer(buf)
        }
        signal(SIGINT) { _ in
            // Async-signal-safe only: word loads and stores, write(2), _exit(2).
            Interrupts.hit = 1
            guard let h = Interrupts.handle else { return }
            if Interrupts.secondExits && h.assumingMemoryBound(to: Int32.self).pointee != 0 {
                if let m = Interrupts.secondMessage { _ = write(2, m.baseAddress, m.count) }
                _exit(Interrupts.exitCode)
            }
            LuaState.requestInterrupt(h)
        }
    }

    // Set by install (first touched there, not in the handler: no lazy initialization in the handler).
    nonisolated(unsafe) private static var secondMessage: UnsafeBufferPointer<UInt8>?
    nonisolated(unsafe) private static var exitCode: Int32 = 0

    /// True once after each SIGINT.
    static func takeHit() -> Bool {
        defer { hit = 0 }
        return hit != 0
    }

    static func uninstall() { signal(SIGINT, SIG_DFL); handle = nil }
}
