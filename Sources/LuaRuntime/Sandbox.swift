import CLua
import CLuaBridge
import Foundation

/// Which files a sandboxed script may touch: everything below its roots
/// (the script's directory and `--allow-path` entries), nothing else.
/// Symbolic links are resolved before the check, so they cannot escape.
public struct SandboxPolicy: Sendable, Equatable {
    public private(set) var roots: [String]

    public init(roots: [String]) {
        self.roots = roots.map { SandboxPolicy.canonical($0) }
    }

    /// The canonical absolute form of `path` if the script may access it.
    public func resolve(_ path: String, write: Bool = false) throws -> String {
        let resolved = SandboxPolicy.canonical(path)
        for root in roots where resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
            return resolved
        }
        throw LuaScriptError("sandbox: access to '\(path)' is not allowed (outside \(roots.joined(separator: ", ")))")
    }

    /// Absolute path with symlinks resolved; for a file that does not exist yet,
    /// its nearest existing ancestor is resolved and the rest appended.
    static func canonical(_ path: String) -> String {
        let abs = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var head = URL(fileURLWithPath: abs).standardizedFileURL.path
        var tail: [String] = []
        while true {
            if let r = realpath(head, nil) {
                defer { free(r) }
                let base = String(cString: r)
                return tail.isEmpty ? base : (base == "/" ? "" : base) + "/" + tail.reversed().joined(separator: "/")
            }
            let url = URL(fileURLWithPath: head)
            if head == "/" || head.isEmpty { return abs }
            tail.append(url.lastPathComponent)
            head = url.deletingLastPathComponent().path
        }
    }
}

/// Installs the sandbox in a state: removes process, native-code and debug
/// access, forces text-only chunks, and routes file access through the policy.
enum Sandbox {
    static let prelude = #"""
    local check = ...
    local io_open, io_lines, io_input, io_output = io.open, io.lines, io.input, io.output
    local os_remove, os_rename = os.remove, os.rename
    local load_, loadfile_ = load, loadfile
    local searchpath, type, error = package.searchpath, type, error

    os.execute, os.exit, os.tmpname, os.getenv = nil, nil, nil, nil
    io.popen = nil
    package.loadlib, package.cpath = nil, ""
    debug, package.loaded.debug = nil, nil
    string.dump = nil

    local function allowed(path, mode)
      if type(path) ~= "string" then return path end
      local p, err = check(path, mode)
      if not p then error(err, 3) end
      return p
    end

    io.open = function(path, mode)
      local ok, p, err = pcall(check, path, mode or "r")
      if not ok then return nil, p end
      if not p then return nil, err end
      return io_open(p, mode)
    end
    io.lines = function(path, ...)
      if path == nil then return io_lines() end
      return io_lines(allowed(path, "r"), ...)
    end
    io.input = function(f) return io_input(allowed(f, "r")) end
    io.output = function(f) return io_output(allowed(f, "w")) end
    os.remove = function(path) return os_remove(allowed(path, "w")) end
    os.rename = function(a, b) return os_rename(allowed(a, "w"), allowed(b, "w")) end
    load = function(chunk, name, mode, env) return load_(chunk, name, "t", env) end
    loadfile = function(path, mode, env)
      if path == nil then return nil, "sandbox: loadfile needs a path" end
      local ok, p, err = pcall(check, path, "r")
      if not ok then return nil, p end
      if not p then return nil, err end
      return loadfile_(p, "t", env)
    end
    dofile = function(path)
      local f, err = loadfile(path)
      if not f then error(err, 2) end
      return f()
    end
    -- Lua modules only, text only, found on package.path and allowed by the policy.
    package.searchers = {
      package.searchers[1],
      function(name)
        local file, err = searchpath(name, package.path)
        if not file then return "\n\t" .. err end
        local f, lerr = loadfile(file)
        if not f then error(("error loading module '%s' from file '%s':\n\t%s"):format(name, file, lerr), 2) end
        return f, file
      end,
    }
    """#

    static func install(_ policy: SandboxPolicy, in state: LuaState) throws {
        try state.load(string: prelude, name: "=sandbox")
        state.push(function: "check") { c in
            let path = try c.string(1)
            let mode = try c.optString(2) ?? "r"
            do {
                return c.push(try policy.resolve(path, write: mode.contains("w") || mode.contains("a") || mode.contains("+")))
            } catch {
                c.pushNil()
                return c.push("\(error)") + 1
            }
        }
        try state.pcall(nargs: 1, nresults: 0)
    }
}
