import CLua
import LuaRuntime

/// Fills a Lua table (a module such as `cl` or `cl.metrics`) with Swift
/// functions and values, and records a one-line signature and help text for
/// each function (used by `cl.help`, REPL completion and the notebook kernel).
public final class ModuleBuilder {
    public let state: LuaState
    /// Dotted Lua path of the module, e.g. "cl.metrics".
    public let path: String
    /// Absolute stack index of the module table.
    let index: Int32

    init(state: LuaState, path: String, index: Int32) {
        self.state = state; self.path = path; self.index = index
    }

    /// Registers `path.name`; `signature` like "seed(n)" and `help` in one or two sentences.
    public func function(_ name: String, _ signature: String, _ help: String, _ body: @escaping LuaFunction) {
        state.push(name)
        state.push(function: name, body)
        lua_rawset(state.L, index)
        Docs.shared.add("\(path).\(name)", signature: qualified(signature), help: help)
    }

    /// "auc(y, p)" or "metrics.auc(y, p)" → "cl.metrics.auc(y, p)".
    private func qualified(_ signature: String) -> String {
        let last = path.split(separator: ".").last.map(String.init) ?? path
        let local = signature.hasPrefix(last + ".") ? String(signature.dropFirst(last.count + 1)) : signature
        return "\(path).\(local)"
    }

    /// Records help for a function implemented in Lua (see Prelude).
    public func doc(_ name: String, _ signature: String, _ help: String) {
        Docs.shared.add("\(path).\(name)", signature: qualified(signature), help: help)
    }

    /// Sets module[key] = value on top of the stack (key pushed below it).
    func rawsetTop() { lua_rawset(state.L, index) }

    public func value(_ name: String, _ v: LuaValue) {
        state.push(name); state.push(v); lua_rawset(state.L, index)
    }

    /// Creates (or reuses) the table `path.name` and fills it.
    public func submodule(_ name: String, _ help: String = "", _ build: (ModuleBuilder) throws -> Void) rethrows {
        _ = state.ensureStack(4)
        state.push(name)
        if lua_rawget(state.L, index) != LUA_TTABLE {
            state.pop()
            lua_createtable(state.L, 0, 8)
            state.push(name); lua_pushvalue(state.L, -2); lua_rawset(state.L, index)
        }
        let sub = ModuleBuilder(state: state, path: "\(path).\(name)", index: lua_absindex(state.L, -1))
        if !help.isEmpty { Docs.shared.add(sub.path, signature: sub.path, help: help) }
        defer { state.pop() }
        try build(sub)
    }
}

/// Help texts of every registered function, by full Lua name.
public final class Docs: @unchecked Sendable {
    public static let shared = Docs()
    public struct Entry: Sendable { public let signature: String; public let help: String }
    private var entries: [String: Entry] = [:]
    private let lock = NSLockLike()

    func add(_ name: String, signature: String, help: String) {
        lock.sync { entries[name] = Entry(signature: signature, help: help) }
    }

    public func entry(_ name: String) -> Entry? { lock.sync { entries[name] } }
    public var names: [String] { lock.sync { entries.keys.sorted() } }
}

import Foundation
final class NSLockLike {
    private let l = NSLock()
    func sync<T>(_ f: () -> T) -> T { l.lock(); defer { l.unlock() }; return f() }
}
