import Foundation

/// How a script touched a file.
public enum FileAccess: String, Sendable { case read, write }

/// Collects the files a script reads and writes, for run manifests. The
/// sandbox's path authority, the runtime's `io.open` wrapper and the
/// `LuaCall` file helpers report here; binding
/// functions that open files another way call `LuaState.recordFileAccess`.
public final class FileObserver {
    public struct Event: Equatable, Sendable {
        public let path: String
        public let access: FileAccess
    }
    /// In first-access order; a path appears once per kind of access.
    public private(set) var events: [Event] = []
    private var seen: Set<String> = []

    public init() {}

    public func record(_ path: String, _ access: FileAccess) {
        let abs = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let norm = URL(fileURLWithPath: abs).standardizedFileURL.path
        if seen.insert(access.rawValue + ":" + norm).inserted { events.append(Event(path: norm, access: access)) }
    }

    public var reads: [String] { events.filter { $0.access == .read }.map(\.path) }
    public var writes: [String] { events.filter { $0.access == .write }.map(\.path) }
}

extension LuaState {
    private static let observerKey = "churnlab.fileObserver"

    /// Set to collect file accesses; nil (the default) records nothing.
    public var fileObserver: FileObserver? {
        get { userInfo[LuaState.observerKey] as? FileObserver }
        set { userInfo[LuaState.observerKey] = newValue }
    }

    /// Reports that running code read or wrote `path` (no-op without an observer).
    public func recordFileAccess(_ path: String, _ access: FileAccess) {
        fileObserver?.record(path, access)
    }

    /// Reports the files scripts open to the observer. In a sandboxed state the
    /// path authority already reports every file it opens (canonical paths),
    /// so nothing is added. Otherwise wraps `io.open`, `io.lines`,
    /// `io.input`/`io.output` with a name, `dofile`, `loadfile` and the Lua-module
    /// searcher of `require` (closures over the original functions, captured here).
    public func trackFileAccess() throws {
        if options.sandbox != nil { return }
        try load(string: FileObserver.prelude, name: "=filetrack")
        push(function: "record") { c in
            let path = try c.string(1)
            let mode = try c.optString(2) ?? "r"
            let write = mode.contains("w") || mode.contains("a") || mode.contains("+")
            c.state.recordFileAccess(path, write ? .write : .read)
            if mode.contains("+") && !mode.hasPrefix("w") { c.state.recordFileAccess(path, .read) }
            return 0
        }
        try pcall(nargs: 1, nresults: 0)
    }
}

extension FileObserver {
    static let prelude = #"""
    local record = ...
    local type = type
    local io_open, io_lines, io_input, io_output = io.open, io.lines, io.input, io.output
    local loadfile_, dofile_ = loadfile, dofile
    io.open = function(path, mode, ...)
      local f, err, code = io_open(path, mode, ...)
      if f and type(path) == "string" then record(path, mode or "r") end
      return f, err, code
    end
    io.lines = function(path, ...)
      if type(path) == "string" then record(path, "r") end
      return io_lines(path, ...)
    end
    io.input = function(f)
      if type(f) == "string" then record(f, "r") end
      return io_input(f)
    end
    io.output = function(f)
      if type(f) == "string" then record(f, "w") end
      return io_output(f)
    end
    loadfile = function(path, ...)
      if type(path) == "string" then record(path, "r") end
      return loadfile_(path, ...)
    end
    dofile = function(path)
      if type(path) == "string" then record(path, "r") end
      return dofile_(path)
    end
    -- Lua modules found by require are inputs too.
    local searcher = package.searchers[2]
    package.searchers[2] = function(name, ...)
      local loader, path = searcher(name, ...)
      if type(loader) == "function" and type(path) == "string" then record(path, "r") end
      return loader, path
    end
    """#
}
