import Foundation
import LuaRuntime

/// What the kernel's is_complete, complete and inspect requests need.
extension NotebookSession {
    public enum Completeness: String, Sendable { case complete, incomplete, invalid }

    /// Whether `code` is a whole cell: "incomplete" when Lua ran out of input
    /// (an open `function`, `do`, string or bracket), "invalid" for other syntax errors.
    public func isComplete(_ code: String) -> Completeness {
        let base = state.top
        defer { state.top = base }
        func attempt(_ s: String) -> LuaError? {
            do { try state.load(string: s, name: "=cell"); state.top = base; return nil } catch {
                return (error as? LuaError) ?? LuaError(kind: .syntax, message: "\(error)")
            }
        }
        guard let asStatement = attempt(code) else { return .complete }
        guard let asExpression = attempt("return " + code) else { return .complete }
        if asStatement.message.hasSuffix("<eof>") || asExpression.message.hasSuffix("<eof>") { return .incomplete }
        return .invalid
    }

    /// The name being typed at `cursor` (a character offset): identifiers joined by "." or ":".
    static func word(in code: String, cursor: Int) -> (word: String, start: Int) {
        let chars = Array(code)
        var start = max(0, min(cursor, chars.count))
        let end = start
        func part(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "." || c == ":" }
        while start > 0 && part(chars[start - 1]) { start -= 1 }
        return (String(chars[start..<end]), start)
    }

    /// Completions at `cursor`: globals, keywords, `cl.` members, object methods
    /// (`df:`) and frame columns (`df.`). Returns the matches and the character
    /// range they replace.
    public func complete(_ code: String, cursor: Int) -> (matches: [String], start: Int, end: Int) {
        let (word, start) = NotebookSession.word(in: code, cursor: cursor)
        var matches = repl.completions(for: word)
        if let dot = word.lastIndex(of: "."), dot != word.startIndex, let columns = frameColumns(String(word[..<dot])) {
            // `df.` completes columns (methods are called with `:`).
            let path = String(word[..<dot]), prefix = String(word[word.index(after: dot)...])
            matches = columns.filter { column in
                column.hasPrefix(prefix) && (column.first.map { $0.isLetter || $0 == "_" } ?? false)
                    && column.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            }.map { path + "." + $0 }
        }
        var seen = Set<String>()
        matches = matches.filter { seen.insert($0).inserted }.sorted()
        return (matches, start, max(start, min(cursor, code.count)))
    }

    /// Column names when `path` (a dotted name, no calls) names a frame; nil otherwise.
    private func frameColumns(_ path: String) -> [String]? {
        guard path.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { return nil }
        let base = state.top
        defer { state.top = base }
        do {
            try state.load(string: """
                local ok, v = pcall(load("return \(path)"))
                if ok and getmetatable(v) == "cl.Frame" then return v:names() end
                return nil
                """, name: "=complete")
            try state.pcall(nargs: 0, nresults: 1)
            guard case .table(let kv) = state.value(at: -1) else { return nil }
            return kv.compactMap { if case .string(let s) = $0.value { return s } else { return nil } }
        } catch {
            return nil
        }
    }

    /// Help for the name at `cursor`: the `cl.help` text for `cl` functions and
    /// modules, otherwise the type and value of a global.
    public func inspect(_ code: String, cursor: Int) -> String? {
        let found = NotebookSession.word(in: code, cursor: cursor)
        let start = found.start
        var word = found.word
        // Include the rest of the name after the cursor ("cl.se|ed" → "cl.seed").
        let chars = Array(code)
        var end = start + word.count
        while end < chars.count, chars[end].isLetter || chars[end].isNumber || chars[end] == "_" { end += 1 }
        word = String(chars[start..<end])
        while word.hasSuffix(".") || word.hasSuffix(":") { word.removeLast() }
        guard !word.isEmpty else { return nil }
        if let e = Docs.shared.entry(word) { return e.signature + "\n\n" + e.help }
        let base = state.top
        defer { state.top = base }
        guard word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
              (try? state.load(string: "local ok, v = pcall(load('return \(word)')); if ok and v ~= nil then return type(v) .. ': ' .. cl.inspect(v, {depth = 2}) end",
                               name: "=inspect")) != nil,
              (try? state.pcall(nargs: 0, nresults: 1)) != nil else { return nil }
        return state.string(at: -1).map { word + " — " + $0 }
    }
}
