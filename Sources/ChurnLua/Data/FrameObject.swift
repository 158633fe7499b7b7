import CLua
import ChurnCore
import LuaRuntime

/// A frame as Lua holds it (`cl.Frame`). Frames are values in the core; the
/// box lets Lua share one without copying.
public final class FrameObject: LuaObject {
    public static let luaTypeName = "cl.Frame"
    public let frame: Frame
    /// Rows a reader skipped or nulled (`df:bad_rows()`); empty otherwise.
    public var badRows: [CSVBadRow] = []
    public init(_ frame: Frame, badRows: [CSVBadRow] = []) { self.frame = frame; self.badRows = badRows }
    /// Charged to the script's memory budget while Lua holds the frame.
    public var memoryFootprint: Int { frame.storageBytes }
}

/// One column as Lua holds it (`cl.Column`), from `df.name` or `df["流失"]`.
public final class ColumnObject: LuaObject {
    public static let luaTypeName = "cl.Column"
    public let column: Column
    public init(_ column: Column) { self.column = column }
    public var memoryFootprint: Int { column.storageBytes }
}

/// Methods of `cl.Frame`, gathered from the files that define them. A file
/// adding frame methods adds its set here (one line), so files stay separate.
enum FrameMethods {
    static var all: [[String: LuaFunction]] { [FrameBasics.methods, FrameIO.methods, FrameTransforms.methods, FrameSplits.methods, ParquetBindings.methods] }
    static var columnSets: [[String: LuaFunction]] { [ColumnBasics.methods, FrameIO.columnMethods] }

    /// Merges method sets; two files defining the same method is a programming error.
    static func merged(_ sets: [[String: LuaFunction]], kind: String) -> [String: LuaFunction] {
        var out: [String: LuaFunction] = [:]
        for set in sets {
            let twice = Set(out.keys).intersection(set.keys)
            precondition(twice.isEmpty, "\(kind) method defined twice: \(twice.sorted())")
            out.merge(set) { a, _ in a }
        }
        return out
    }
}

extension LuaCall {
    /// Argument `i` as a frame.
    public func frame(_ i: Int32) throws -> Frame { try object(i, FrameObject.self).frame }

    @discardableResult public func push(frame: Frame) -> Int32 { push(object: FrameObject(frame)) }
    @discardableResult public func push(column: Column) -> Int32 { push(object: ColumnObject(column)) }

    /// Runs a core operation, turning its errors into Lua errors with their
    /// message. Stops (cancellation, memory limit) pass through unchanged so
    /// the runtime reports them as the hook does ("interrupted", "time limit
    /// exceeded (3 s)", "memory limit exceeded (64 MB) allocating …").
    public func core<T>(_ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let e as LuaArgumentError { throw e }
        catch let e as CancellationError { throw e }
        catch let e as MemoryLimitError { throw e }
        catch { throw LuaScriptError("\(error)") }
    }
}
