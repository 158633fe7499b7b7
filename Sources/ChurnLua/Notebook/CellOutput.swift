/// A MIME bundle: representations of one value keyed by MIME type
/// ("text/plain", "text/html", "image/svg+xml"), as Jupyter stores them.
public typealias MimeBundle = [String: String]

/// One output of a notebook cell, in the order the cell produced it.
public enum CellOutput: Equatable, Sendable {
    /// Text written to standard output or error (`name` is "stdout" or "stderr").
    case stream(name: String, text: String)
    /// A value shown mid-cell with `cl.display`.
    case display(MimeBundle)
    /// The value of the cell's last expression.
    case result(MimeBundle)
    /// The error that stopped the cell.
    case error(CellError)
}

/// A failed cell, shaped like Jupyter's error output.
public struct CellError: Error, Equatable, Sendable, CustomStringConvertible {
    /// "SyntaxError", "RuntimeError", "TimeoutError", "MemoryError", "KeyboardInterrupt".
    public let ename: String
    /// The Lua message, e.g. `In[3]:2: attempt to index a nil value`.
    public let evalue: String
    /// The message followed by the Lua traceback lines.
    public let traceback: [String]

    public init(ename: String, evalue: String, traceback: [String]) {
        self.ename = ename; self.evalue = evalue; self.traceback = traceback
    }

    public var description: String { traceback.joined(separator: "\n") }
}

/// Everything one cell produced.
public struct CellRun: Equatable, Sendable {
    public let executionCount: Int
    public let outputs: [CellOutput]
    public var error: CellError? {
        for case .error(let e) in outputs { return e }
        return nil
    }
}
