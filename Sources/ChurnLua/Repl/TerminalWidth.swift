import Foundation

/// The width text tables are rendered at: `COLUMNS` when set (as Python's
/// shutil.get_terminal_size does, so a user can override it), else the terminal's
/// width from TIOCGWINSZ on standard output, else 100 (files, pipes, notebooks).
public enum TerminalWidth {
    public static let fallback = 100

    public static func current() -> Int {
        if let s = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(s), n >= 20 { return min(n, 10_000) }
        var ws = winsize()
        if isatty(STDOUT_FILENO) != 0, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col >= 20 { return Int(ws.ws_col) }
        return fallback
    }
}
