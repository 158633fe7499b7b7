import CLua
import CLuaBridge
import Foundation

/// Which files a sandboxed script may touch: regular files below its roots
/// (the script's directory and `--allow-path` entries), nothing else. An empty
/// list of roots allows no file at all (`-e`, standard input and the REPL
/// without `--allow-path`). Enforcement is `PathAuthority`'s.
public struct SandboxPolicy: Sendable, Equatable {
    public let authority: PathAuthority
    public var roots: [String] { authority.roots }

    /// Roots are resolved once here (they come from the operator, not the
    /// script); a root that cannot be resolved is dropped, so it allows nothing.
    public init(roots: [String]) {
        var canonical: [String] = []
        for r in roots {
            let abs = r.hasPrefix("/") ? r : FileManager.default.currentDirectoryPath + "/" + r
            guard let p = realpath(abs, nil) else { continue }
            defer { free(p) }
            let s = String(cString: p)
            if !canonical.contains(s) { canonical.append(s) }
        }
        authority = PathAuthority(roots: canonical)
    }

    /// The canonical path of `path` if the script may read it (an existing
    /// regular file) or, with `write`, create or replace it. Throws `SandboxDenied`.
    public func resolve(_ path: String, write: Bool = false) throws -> String {
        if write { return try authority.outputEntry(path).path }
        return try authority.open(path, .read).path
    }
}

/// Installs the sandbox in a state: removes process, native-code and debug
/// access (`os.execute`, `os.exit`, `os.getenv`, `os.tmpname`, `io.popen`,
/// `io.tmpfile`, `package.loadlib`, C modules, `debug`, `string.dump`), forces
/// text-only chunks, and routes every file access of the Lua libraries through
/// the policy's `PathAuthority`. The Lua-facing functions are C closures over
/// the Swift functions below (sandbox_io.c): no global or library table the
/// script can replace takes part in a check.
enum Sandbox {
    static func install(_ policy: SandboxPolicy, in state: LuaState) throws {
        let authority = policy.authority
        state.push(function: "open") { c in
            let path = try c.string(2)
            let mode = try c.string(3)
            guard let access = PathAuthority.Access(luaMode: mode) else { throw LuaArgumentError(3, "invalid mode") }
            do {
                let f = try authority.open(path, access)
                guard clb_stream_attach(c.L, 1, f.descriptor.take(), mode) == 0 else {
                    throw SandboxDenied(path, String(cString: strerror(errno)))
                }
                if access.writes { c.state.recordFileAccess(f.path, .write) }
                if !access.writes || (mode.contains("+") && !mode.hasPrefix("w")) { c.state.recordFileAccess(f.path, .read) }
                return c.push(true)
            } catch {
                c.pushNil()
                return c.push("\(error)") + 1
            }
        }
        state.push(function: "loadfile") { c in
            let path = try c.string(1)
            do {
                let (bytes, canonical) = try authority.readAll(path)
                c.state.recordFileAccess(canonical, .read)
                bytes.withUnsafeBufferPointer { b in
                    b.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(c.L, $0.baseAddress, $0.count) }
                }
                return 1
            } catch {
                c.pushNil()
                return c.push("cannot open \(path) (\(error))") + 1
            }
        }
        state.push(function: "searchpath") { c in
            let name = try c.string(1), path = try c.string(2)
            let sep = try c.optString(3) ?? ".", rep = try c.optString(4) ?? "/"
            switch Sandbox.searchPath(name: name, path: path, sep: sep, rep: rep, authority: authority) {
            case .found(let file): return c.push(file)
            case .notFound(let message): c.pushNil(); return c.push(message) + 1
            }
        }
        state.push(function: "remove") { c in
            let path = try c.string(1)
            do {
                try authority.remove(path)
                c.state.recordFileAccess(path, .write)
                return c.push(true)
            } catch { c.pushNil(); return c.push("\(error)") + 1 }
        }
        state.push(function: "rename") { c in
            let from = try c.string(1), to = try c.string(2)
            do {
                try authority.rename(from, to)
                c.state.recordFileAccess(from, .write)
                c.state.recordFileAccess(to, .write)
                return c.push(true)
            } catch { c.pushNil(); return c.push("\(error)") + 1 }
        }
        let status = clb_sandbox_install(state.L)
        if status != LUA_OK { throw state.popError(status: status) }
    }

    enum SearchResult: Equatable { case found(String), notFound(String) }

    /// Lua's `package.searchpath`, with "readable" meaning a regular file the
    /// authority allows: files outside the roots are never found (their
    /// existence is not revealed) and nothing is opened (a FIFO cannot block).
    static func searchPath(name: String, path: String, sep: String, rep: String, authority: PathAuthority) -> SearchResult {
        let n = sep.isEmpty ? name : name.replacingOccurrences(of: sep, with: rep)
        var tried: [String] = []
        for template in path.split(separator: ";", omittingEmptySubsequences: true) {
            let file = template.replacingOccurrences(of: "?", with: n)
            if authority.isReadableFile(file) { return .found(file) }
            tried.append("no file '\(file)'")
        }
        return .notFound(tried.joined(separator: "\n\t"))
    }
}
