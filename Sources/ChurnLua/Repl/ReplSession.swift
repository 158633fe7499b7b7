import CLua
import CLuaBridge
import LuaRuntime

/// The language side of `churnlab repl` and the notebook kernel: feeds lines,
/// detects incomplete statements, evaluates, prints values with `cl.inspect`,
/// and completes names. Line editing lives in the CLI.
public final class ReplSession {
    public let state: LuaState
    private var buffer: [String] = []
    /// The last chart a statement returned (shown as a one-line summary); `:save FILE` writes it.
    public private(set) var lastSVG: String?

    public enum Outcome: Equatable {
        /// The statement is incomplete; ask for another line.
        case incomplete
        /// Evaluated; the printed rendering of the values, if any.
        case value(String?)
        /// Compile or runtime error (message with traceback).
        case error(String)
    }

    public init(state: LuaState) { self.state = state }

    /// True while a multi-line statement is being collected.
    public var isContinuing: Bool { !buffer.isEmpty }

    /// Discards a partly entered statement (Ctrl-C at the continuation prompt).
    public func reset() { buffer.removeAll() }

    public func feed(_ line: String) -> Outcome {
        if buffer.isEmpty, line.hasPrefix(":"), !line.hasPrefix("::") { return command(line) }   // "::label::" is Lua
        buffer.append(line)
        let code = buffer.joined(separator: "\n")
        let base = state.top
        defer { state.top = base }
        // An expression prints its value: try "return <code>" first, as lua.c
        // does; the input is incomplete if either form ends early.
        func ranOutOfInput(_ e: Error) -> Bool {
            guard let e = e as? LuaError else { return false }
            return e.kind == .syntax && e.message.hasSuffix("<eof>")
        }
        do {
            try state.load(string: "return " + code, name: "=stdin")
        } catch let asExpression {
            do {
                try state.load(string: code, name: "=stdin")
            } catch let asStatement {
                if ranOutOfInput(asStatement) || ranOutOfInput(asExpression) { return .incomplete }
                buffer.removeAll()
                return .error((asStatement as? LuaError)?.message ?? "\(asStatement)")
            }
        }
        buffer.removeAll()
        state.clearInterrupt()   // a Ctrl-C at the prompt must not stop this statement
        do {
            try state.pcall()
        } catch let e as LuaError {
            return .error(e.fullReport)
        } catch {
            return .error("\(error)")
        }
        let n = state.top - base
        if n == 0 { return .value(nil) }
        return render(results: n, base: base)
    }

    /// REPL commands: `:save FILE` writes the last chart; `:help [name]` is cl.help.
    private func command(_ line: String) -> Outcome {
        let words = line.split(separator: " ", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        switch words[0] {
        case ":save":
            guard words.count == 2, !words[1].isEmpty else { return .error(":save FILE.svg writes the last chart") }
            guard let svg = lastSVG else { return .error(":save: no chart yet (evaluate a cl.plot.* call without file =)") }
            let base = state.top
            defer { state.top = base }
            do {
                // Through io.open, so a sandboxed session can only write where its scripts may.
                try state.load(string: "local path, svg = ...; local f = assert(io.open(path, 'w')); f:write(svg); f:close()", name: "=:save")
                state.push(words[1]); state.push(svg)
                try state.pcall(nargs: 2, nresults: 0)
                return .value("saved \(words[1]) (\(svg.utf8.count) bytes)")
            } catch {
                return .error(":save: " + ((error as? LuaError)?.message ?? "\(error)"))
            }
        case ":help":
            let base = state.top
            defer { state.top = base }
            do {
                try state.load(string: "cl.help(...)", name: "=:help")
                if words.count == 2 { state.push(words[1]) }
                try state.pcall(nargs: words.count == 2 ? 1 : 0, nresults: 0)
                return .value(nil)
            } catch {
                return .error((error as? LuaError)?.message ?? "\(error)")
            }
        default:
            return .error("unknown command \(words[0]) (:save FILE.svg, :help [name])")
        }
    }

    /// Renders the `n` values above `base` with cl.inspect, tab-separated; a chart (an SVG
    /// string) shows as a one-line summary and is kept for `:save`.
    private func render(results n: Int32, base: Int32) -> Outcome {
        do {
            try state.load(string: """
                local chart = ...
                local inspect = cl and cl.inspect or tostring
                local t = table.pack(select(2, ...))
                for i = 1, t.n do t[i] = type(t[i]) == "string" and chart(t[i]) or inspect(t[i]) end
                return table.concat(t, "\\t", 1, t.n)
                """, name: "=repl")
            lua_rotate(state.L, base + 1, 1)   // function below the values
            state.push(function: "chart") { [weak self] c in
                let s = try c.string(1)
                guard RichText.isSVG(s) else { return c.pushNil() }
                self?.lastSVG = s
                return c.push(RichText.svgSummary(s))
            }
            lua_rotate(state.L, base + 2, 1)   // then the chart hook, then the values
            try state.pcall(nargs: n + 1, nresults: 1)
            return .value(state.string(at: -1) ?? "")
        } catch let e as LuaError {
            return .error(e.fullReport)
        } catch {
            return .error("\(error)")
        }
    }

    /// Candidates completing `word` (e.g. "cl.me" → "cl.metrics", "df:he" → "df:head"),
    /// from globals, table fields and object methods. Reads tables raw: no metamethods run.
    public func completions(for word: String) -> [String] {
        let L = state.L
        let base = state.top
        defer { state.top = base }
        guard state.ensureStack(8) else { return [] }
        // Split "a.b.c:pre" into the path to walk and the prefix to complete.
        let sepIndex = word.lastIndex(where: { $0 == "." || $0 == ":" })
        let path = sepIndex.map { String(word[..<$0]) } ?? ""
        let sep = sepIndex.map { String(word[$0]) } ?? ""
        let prefix = sepIndex.map { String(word[word.index(after: $0)...]) } ?? word
        lua_rawgeti(L, clb_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        if !path.isEmpty {
            for part in path.split(separator: ".", omittingEmptySubsequences: false) {
                guard lua_type(L, -1) == LUA_TTABLE else {
                    // Through an object (df.col:): evaluate the path and ask the object.
                    state.top = base
                    return objectMembers(path: path, sep: sep).filter { $0.hasPrefix(prefix) }.sorted().map { path + sep + $0 }
                }
                state.push(String(part))
                lua_rawget(L, -2)
            }
        }
        if !path.isEmpty && lua_type(L, -1) == LUA_TUSERDATA {
            state.top = base
            return objectMembers(path: path, sep: sep).filter { $0.hasPrefix(prefix) }.sorted().map { path + sep + $0 }
        }
        var names: Set<String> = []
        func collect(_ idx: Int32) {
            guard lua_type(L, idx) == LUA_TTABLE else { return }
            let t = lua_absindex(L, idx)
            lua_pushnil(L)
            while lua_next(L, t) != 0 {
                // Internal names (cl._bench, cl._methods) only when the user types the underscore.
                if lua_type(L, -2) == LUA_TSTRING, let k = state.string(at: -2), k.hasPrefix(prefix),
                   !k.hasPrefix("__"), !k.hasPrefix("_") || prefix.hasPrefix("_") {
                    names.insert(k)
                }
                lua_settop(L, -2)
            }
        }
        if sep == ":" {
            // Methods of an object: its metatable's __methods.
            if lua_getmetatable(L, -1) != 0 {
                state.push("__methods")
                lua_rawget(L, -2)
                collect(-1)
            }
        } else {
            collect(-1)
            if path.isEmpty {
                for kw in ["and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
                           "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"]
                where kw.hasPrefix(prefix) { names.insert(kw) }
            }
        }
        let lead = path.isEmpty ? "" : path + sep
        return names.sorted().map { lead + $0 }
    }

    /// What can follow `path` + `sep` when `path` (identifiers and dots only) names a ChurnLab
    /// object: its methods after ':', a frame's columns (identifier-like names) after '.'.
    /// The path is evaluated (a frame's column access has no side effects); errors give nothing.
    func objectMembers(path: String, sep: String) -> [String] {
        guard path.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }), !path.hasPrefix("."),
              !path.hasSuffix(".") else { return [] }
        let base = state.top
        defer { state.top = base }
        do {
            try state.load(string: """
                local path, sep = ...
                local f = load("return " .. path)
                if not f then return {} end
                local ok, v = pcall(f)
                if not ok or type(v) ~= "userdata" then return {} end
                if sep == ":" then
                  local out = {}
                  for k in pairs(cl._methods(v) or {}) do out[#out + 1] = k end
                  return out
                end
                if getmetatable(v) == "cl.Frame" then return v:names() end
                return {}
                """, name: "=complete")
            state.push(path); state.push(sep)
            try state.pcall(nargs: 2, nresults: 1)
            guard case .table(let kv) = state.value(at: -1) else { return [] }
            return kv.compactMap { if case .string(let s) = $0.value { return s } else { return nil } }.filter { name in
                sep == ":" || (name.first.map { $0.isLetter || $0 == "_" } ?? false) && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            }
        } catch {
            return []
        }
    }

    /// The class name (e.g. "cl.Frame") of the ChurnLab object `path` evaluates to, or nil.
    public func className(of path: String) -> String? {
        guard path.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }), !path.isEmpty else { return nil }
        let base = state.top
        defer { state.top = base }
        guard (try? state.load(string: """
            local f = load("return " .. ...)
            if not f then return nil end
            local ok, v = pcall(f)
            if ok and type(v) == "userdata" and type(getmetatable(v)) == "string" then return getmetatable(v) end
            """, name: "=inspect")) != nil else { return nil }
        state.push(path)
        guard (try? state.pcall(nargs: 1, nresults: 1)) != nil else { return nil }
        return state.string(at: -1)
    }
}
