import ExecutionControl
import Foundation
import LuaRuntime

/// The CLI's policy for work that does not stop: the runtime's watchdog
/// gives a script `grace` seconds after its time limit or an interrupt to
/// stop cooperatively (the hook, the core's token checks); after that the
/// process ends with a message on stderr and a documented exit code. This is
/// what ends a C pattern match with exponential backtracking, a finalizer
/// assigned out of reach of the guards, or any native call without checks.
enum ProcessBackstop {
    /// Seconds between the stop being due and the process ending.
    static let grace = 2.0
    /// Exit code when the time limit was not honoured (as timeout(1)).
    static let timeLimitExitCode: Int32 = 124
    /// Exit code for an interrupt (128 + SIGINT), cooperative or not.
    static let interruptExitCode: Int32 = 130

    static let secondInterruptMessage = "\nchurnlab: interrupted again; ending the process\n"

    /// Installs the watchdog policy (once, at start-up, before any Lua runs).
    static func install() {
        Watchdog.policy = Watchdog.Policy(grace: grace) { reason, timeout, grace in
            flushStdoutIfFree()
            writeStderr(Watchdog.message(reason, timeout: timeout, grace: grace) + "\n")
            _exit(reason == .timeLimit ? timeLimitExitCode : interruptExitCode)
        }
    }

    /// Flushes buffered script output unless the stuck thread holds stdout's
    /// lock (waiting for it could hang the watchdog too).
    private static func flushStdoutIfFree() {
        guard ftrylockfile(stdout) == 0 else { return }
        fflush(stdout)
        funlockfile(stdout)
    }

    /// write(2) to stderr: no stdio lock (the stuck thread may hold it).
    static func writeStderr(_ text: String) {
        var text = text
        text.withUTF8 { buf in _ = write(2, buf.baseAddress, buf.count) }
    }
}
