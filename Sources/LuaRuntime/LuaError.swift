/// A failure reported by Lua: a compile error, a runtime error raised by a
/// script or a Swift function, or a limit (time, memory, interrupt) being hit.
public struct LuaError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable { case syntax, runtime, memory, timeout, interrupted, file }

    public let kind: Kind
    /// The message as Lua formats it, e.g. `script.lua:3: attempt to index a nil value`.
    public let message: String
    /// The `stack traceback:` text, when one was captured.
    public let traceback: String?

    public init(kind: Kind, message: String, traceback: String? = nil) {
        self.kind = kind; self.message = message; self.traceback = traceback
    }

    public var description: String { message }

    /// Message and traceback as the `lua` interpreter prints them.
    public var fullReport: String {
        guard let traceback, !traceback.isEmpty else { return message }
        return message + "\n" + traceback
    }
}

/// Thrown by Swift functions exposed to Lua for a bad argument; the runtime
/// turns it into Lua's `bad argument #N to 'name' (…)`.
public struct LuaArgumentError: Error, CustomStringConvertible {
    public let position: Int32
    public let message: String
    public init(_ position: Int32, _ message: String) { self.position = position; self.message = message }
    public var description: String { message }
}

/// Thrown by Swift functions exposed to Lua for any other failure; the message
/// is raised as a Lua error with the caller's position prefixed.
public struct LuaScriptError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
