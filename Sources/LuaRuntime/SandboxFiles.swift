/// How Swift functions exposed to Lua get at files: always through these
/// helpers, so that in a sandboxed state the path authority opens (or places)
/// the file and the code doing the work only ever sees a path naming exactly
/// what the authority verified. Accesses are recorded for run manifests.
///
/// Without a sandbox the helpers pass the script's path through unchanged.
extension LuaCall {
    /// Runs `body` with a path to read the existing regular file `path` from.
    /// Sandboxed: the authority opens the file and `body` gets `/proc/self/fd/N`
    /// for that descriptor, so nothing can be swapped in between.
    public func withInputFile<T>(_ path: String, _ body: (String) throws -> T) throws -> T {
        guard let policy = state.options.sandbox else {
            state.recordFileAccess(path, .read)
            return try body(path)
        }
        let f = try policy.authority.open(path, .read)
        state.recordFileAccess(f.path, .read)
        let access = f.accessPath
        return try LuaCall.naming(access, path) { try withExtendedLifetime(f) { try body(access) } }
    }

    /// Runs `body` with a path at which to create or atomically replace the file
    /// `path` (writers create a temporary file beside it and rename it over).
    /// Sandboxed: the authority resolves and holds the directory; `body` gets
    /// `/proc/self/fd/D/name`, so the file lands in exactly that directory.
    public func withOutputFile<T>(_ path: String, _ body: (String) throws -> T) throws -> T {
        guard let policy = state.options.sandbox else {
            state.recordFileAccess(path, .write)
            return try body(path)
        }
        let e = try policy.authority.outputEntry(path)
        state.recordFileAccess(e.path, .write)
        let access = e.accessPath
        return try LuaCall.naming(access, path) { try withExtendedLifetime(e) { try body(access) } }
    }

    /// The path at which SQLite should open the database `path`, and whether it
    /// must confine itself (sandboxed: canonical path opened with
    /// `SQLITE_OPEN_NOFOLLOW`, so no component may be a link, and an authorizer
    /// that allows only the opened database — see `SQLiteConnection`).
    public func databaseFile(_ path: String, write: Bool) throws -> (path: String, confined: Bool) {
        guard let policy = state.options.sandbox else {
            state.recordFileAccess(path, write ? .write : .read)
            return (path, false)
        }
        let canonical = write ? try policy.authority.outputEntry(path).path : try policy.authority.open(path, .read).path
        state.recordFileAccess(canonical, write ? .write : .read)
        return (canonical, true)
    }

    /// The argument `i` as a path, for the helpers above.
    public func pathArgument(_ i: Int32) throws -> String { try string(i) }

    /// Rethrows errors from `body` with the descriptor path replaced by the
    /// script's path, so messages name the file the script gave.
    static func naming<T>(_ access: String, _ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as LuaArgumentError { throw e } catch {
            let text = "\(error)"
            guard text.contains(access) else { throw error }
            throw LuaScriptError(text.replacingOccurrences(of: access, with: path))
        }
    }
}
