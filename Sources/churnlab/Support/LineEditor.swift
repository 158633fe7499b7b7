import CEditLine
import Foundation

/// Interactive line input through libedit's readline interface: editing keys,
/// history kept in a file, and tab completion from a Swift callback.
final class LineEditor {
    private let historyPath: String
    /// The completion source; libedit's callbacks are C function pointers, so
    /// the active editor is reached through this static.
    nonisolated(unsafe) static var completer: ((String) -> [String])?
    nonisolated(unsafe) private static var matches: [String] = []

    init(historyPath: String, completer: @escaping (String) -> [String]) {
        self.historyPath = historyPath
        LineEditor.completer = completer
        using_history()
        _ = read_history(historyPath)
        stifle_history(1000)
        // "." and ":" stay inside words so "cl.me" and "df:he" complete as one word.
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"\\'`@$><=;|&{(,+-*/%^~#[]"))
        rl_completion_append_character = 0   // "cl.seed" completes without a trailing space
        rl_attempted_completion_function = { text, _, _ in
            guard let text else { return nil }
            LineEditor.matches = LineEditor.completer?(String(cString: text)) ?? []
            if LineEditor.matches.isEmpty { return nil }
            rl_attempted_completion_over = 1
            return rl_completion_matches(text) { _, state in
                let i = Int(state)
                guard i < LineEditor.matches.count else { return nil }
                return strdup(LineEditor.matches[i])
            }
        }
    }

    /// Reads one line; nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        let line = String(cString: raw)
        if !line.trimmingCharacters(in: .whitespaces).isEmpty { add_history(line) }
        return line
    }

    func save() { _ = write_history(historyPath) }
}
