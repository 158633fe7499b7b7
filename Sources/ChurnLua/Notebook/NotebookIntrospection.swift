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
        var seen = Set<String>()
        matches = matches.filter { seen.insert($0).inserted }.sorted()
        return (matches, start, max(start, min(cursor, code.count)))
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
        if let colon = word.lastIndex(of: ":") {
            // A method: the receiver's class (evaluated, or a conventional name like `df`).
            let receiver = String(word[..<colon]), method = String(word[word.index(after: colon)...])
            let cls = repl.className(of: receiver) ?? HelpText.className(receiver)
            if let cls, let e = MethodDocs.byClass[cls]?[method] { return e.signature + "   (\(cls))\n\n" + e.help }
            return nil
        }
        let base = state.top
        defer { state.top = base }
        guard word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
              (try? state.load(string: "local ok, v = pcall(load('return \(word)')); if ok and v ~= nil then return type(v) .. ': ' .. cl.inspect(v, {depth = 2}) end",
                               name: "=inspect")) != nil,
              (try? state.pcall(nargs: 0, nresults: 1)) != nil else { return nil }
        return state.string(at: -1).map { word + " — " + $0 }
    }
}
