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
    /// Set when this column came from `df.name` and a frame method has the same
    /// name: the column is then callable as that method (see `FrameIndex`).
    public let shadowsMethod: String?
    public init(_ column: Column, shadowsMethod: String? = nil) { self.column = column; self.shadowsMethod = shadowsMethod }
    public var memoryFootprint: Int { column.storageBytes }
}

/// Methods of `cl.Frame`, gathered from the files that define them. A file
/// adding frame methods adds its set here (one line), so files stay separate.
enum FrameMethods {
    static var all: [[String: LuaFunction]] { [FrameBasics.methods, FrameIO.methods, FrameTransforms.methods, FrameSplits.methods, FrameAnalysis.methods, ParquetBindings.methods, WarehouseModule.frameMethods] }
    static var columnSets: [[String: LuaFunction]] { [ColumnBasics.methods, FrameIO.columnMethods, ExprFunctionsBinding.columnMethods, FrameAnalysis.columnMethods] }

    /// Merges method sets; two files defining the same method is a programming error.
    /// Methods listed in `maxArguments` reject arguments past their last one, so
    /// `col:sum(true)` or `df:nrow{x = 1}` fail instead of being silently ignored.
    static func merged(_ sets: [[String: LuaFunction]], kind: String) -> [String: LuaFunction] {
        var out: [String: LuaFunction] = [:]
        for set in sets {
            let twice = Set(out.keys).intersection(set.keys)
            precondition(twice.isEmpty, "\(kind) method defined twice: \(twice.sorted())")
            out.merge(set) { a, _ in a }
        }
        for (name, n) in maxArguments[kind] ?? [:] {
            guard let fn = out[name] else { continue }
            out[name] = { c in try c.noArguments(after: n + 1); return try fn(c) }
        }
        return out
    }

    /// Arguments (after self) each fixed-arity method takes. Variadic methods
    /// (select, drop, group_by, distinct, concat) and those owned elsewhere are absent.
    static let maxArguments: [String: [String: Int32]] = [
        "cl.Frame": [
            "nrow": 0, "ncol": 0, "estimated_size": 0, "names": 0, "types": 0, "bad_rows": 0, "describe": 0,
            "column": 1, "row": 1, "head": 1, "tail": 1, "to_matrix": 1, "show": 1, "html": 1,
            "write_csv": 2, "write_sqlite": 3, "rename": 1, "filter": 1, "mutate": 1, "with_columns": 1,
            "sort_by": 2, "join": 2, "dropna": 1, "fillna": 1, "sample": 1, "pivot": 1,
        ],
        "cl.Column": [
            "name": 0, "type": 0, "to_table": 0, "sum": 0, "mean": 0, "std": 1, "min": 0, "max": 0,
            "quantile": 1, "unique": 0, "nunique": 0, "value_counts": 1, "is_null": 0,
        ],
    ]
}

extension LuaCall {
    /// Rejects arguments past stack slot `max` (self counts as slot 1).
    func noArguments(after max: Int32) throws {
        guard count > max else { return }
        let takes = max - 1
        throw LuaArgumentError(max + 1, "unexpected argument (\(typeName(max + 1))): this method takes " +
                               (takes == 0 ? "no arguments" : "at most \(takes) argument\(takes == 1 ? "" : "s")"))
    }

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
