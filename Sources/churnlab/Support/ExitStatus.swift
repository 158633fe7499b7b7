import ArgumentParser
import Foundation

/// Exit codes with a meaning (BSD sysexits where one fits).
enum ExitStatus {
    static let failure = ExitCode(1)        // script error, failed test, failed job
    static let usage = ExitCode(64)         // EX_USAGE
    static let noInput = ExitCode(66)       // EX_NOINPUT
    static let software = ExitCode(70)      // EX_SOFTWARE
    static let interrupted = ExitCode(ProcessBackstop.interruptExitCode)   // 130 = 128 + SIGINT
    // 124: the watchdog ended a script stuck past its time limit (ProcessBackstop).
}

/// Writes a line to standard error (stdout is flushed first so output keeps its order).
func printError(_ text: String) {
    fflush(stdout)
    FileHandle.standardError.write((text.hasSuffix("\n") ? text : text + "\n").data(using: .utf8)!)
}
