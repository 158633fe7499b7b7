import CLua
import Foundation
import LuaRuntime

/// Runs notebook cells one after another in one Lua state — the language side
/// of `churnlab notebook run` and of the Jupyter kernel. Standard output is
/// captured, `cl.display` values become display outputs, the value of a cell's
/// last expression becomes its result, and errors carry a Lua traceback.
public final class NotebookSession {
    public let state: LuaState
    /// Completion of names (shared with the REPL).
    public let repl: ReplSession
    /// Called with each output as soon as it is complete (the kernel publishes
    /// them live); stream text is coalesced for up to `streamFlushInterval` seconds.
    public var onOutput: ((CellOutput) -> Void)?
    public var streamFlushInterval = 0.1
    /// Number of cells executed so far (the next cell gets this + 1).
    public private(set) var executionCount = 0

    private var outputs: [CellOutput] = []
    private var pending: (name: String, text: String, since: Double)?

    /// Takes over `state`'s standard output (print, io.write, io.stdout) and `cl.display`.
    public init(state: LuaState) throws {
        self.state = state
        self.repl = ReplSession(state: state)
        try OutputCapture.install(in: state) { [weak self] name, text in self?.stream(name, text) }
        state.userInfo[NotebookModule.displayHandlerKey] = NotebookModule.DisplayHandler { [weak self] bundle in
            self?.emit(.display(bundle))
        }
    }

    // MARK: executing

    /// Executes one cell. Errors do not throw: they are the cell's last output.
    /// A `silent` execution (Jupyter's `silent`/`store_history = false`) does not count.
    @discardableResult
    public func execute(_ code: String, silent: Bool = false) -> CellRun {
        if !silent { executionCount += 1 }
        outputs = []
        let base = state.top
        defer { state.top = base }
        let name = silent ? "=(silent)" : "=In[\(executionCount)]"
        do {
            try load(code, name: name)
            state.clearInterrupt()
            try state.pcall()
            let n = state.top - base
            if n > 0, !(n == 1 && lua_type(state.L, -1) == LUA_TNIL) {
                let b = try bundle(results: n, base: base)
                if !b.isEmpty { emit(.result(b)) }
            }
        } catch let e as LuaError {
            emit(.error(NotebookSession.cellError(e)))
        } catch {
            emit(.error(CellError(ename: "RuntimeError", evalue: "\(error)", traceback: ["\(error)"])))
        }
        flushStream()
        return CellRun(executionCount: executionCount, outputs: outputs)
    }

    /// Compiles a cell so that its last expression (if it ends with one) is
    /// returned: `prefix \n return lastExpression`, keeping line numbers and
    /// the cell's locals. Falls back to the code as written.
    func load(_ code: String, name: String) throws {
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var end = lines.count
        while end > 0 {
            let t = lines[end - 1].trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("--") { end -= 1 } else { break }
        }
        let base = state.top
        func compiles(_ s: String) -> Bool {
            defer { state.top = base }
            return (try? state.load(string: s, name: name)) != nil
        }
        if end > 0 {
            for k in stride(from: end - 1, through: 0, by: -1) {
                let suffix = lines[k..<end].joined(separator: "\n")
                let prefix = lines[..<k].joined(separator: "\n")
                guard compiles("return " + suffix), compiles(prefix) else { continue }
                let rest = lines[end...].joined(separator: "\n")
                try state.load(string: (k > 0 ? prefix + "\n" : "") + "return " + suffix + (rest.isEmpty ? "" : "\n" + rest), name: name)
                return
            }
        }
        try state.load(string: code, name: name)
    }

    /// The bundle shown for `n` results above `base`: one value through `cl.mime`,
    /// several as their `cl.inspect` texts separated by tabs.
    private func bundle(results n: Int32, base: Int32) throws -> MimeBundle {
        try state.load(string: """
            local t = table.pack(...)
            -- io.write(...) returns the captured stdout: not worth showing.
            if t.n == 1 and (t[1] == io.stdout or t[1] == io.stderr) then return {} end
            if t.n == 1 then return cl.mime(t[1]) end
            for i = 1, t.n do t[i] = cl.inspect(t[i]) end
            return { ["text/plain"] = table.concat(t, "\\t", 1, t.n) }
            """, name: "=display")
        lua_rotate(state.L, base + 1, 1)
        try state.pcall(nargs: n, nresults: 1)
        var out: MimeBundle = [:]
        if case .table(let kv) = state.value(at: -1) {
            for (k, v) in kv { if case .string(let key) = k, case .string(let text) = v { out[key] = text } }
        }
        return out
    }

    static func cellError(_ e: LuaError) -> CellError {
        let ename: String
        switch e.kind {
        case .syntax: ename = "SyntaxError"
        case .timeout: ename = "TimeoutError"
        case .memory: ename = "MemoryError"
        case .interrupted: ename = "KeyboardInterrupt"
        case .runtime, .file: ename = "RuntimeError"
        }
        var tb = [e.message]
        if let t = e.traceback { tb += t.split(separator: "\n").map(String.init).filter { !$0.contains("[C]: in ?") } }
        return CellError(ename: ename, evalue: e.message, traceback: tb)
    }

    // MARK: output plumbing

    private func stream(_ name: String, _ text: String) {
        guard !text.isEmpty else { return }
        let now = ProcessInfo.processInfo.systemUptime
        if let p = pending, p.name == name {
            pending!.text += text
            if now - p.since >= streamFlushInterval { flushStream() }
        } else {
            flushStream()
            pending = (name, text, now)
        }
    }

    private func flushStream() {
        guard let p = pending else { return }
        pending = nil
        record(.stream(name: p.name, text: p.text))
    }

    private func emit(_ output: CellOutput) {
        flushStream()
        record(output)
    }

    private func record(_ output: CellOutput) {
        // Consecutive text on one stream is one output, as Jupyter stores it.
        if case .stream(let name, let text) = output, case .stream(let prevName, let prev)? = outputs.last, prevName == name {
            outputs[outputs.count - 1] = .stream(name: name, text: prev + text)
        } else {
            outputs.append(output)
        }
        onOutput?(output)
    }
}
