/// Numeric columns of a frame as a dense Float64 matrix, for models and for
/// handing data to other numeric code.
///
/// Column-major storage is the frame's own layout: a float column without
/// nulls is shared (copy-on-write), not copied; other numeric types are
/// converted and nulls become NaN. The row-major view is materialized on demand.
public struct DenseMatrix: Sendable {
    public let rows: Int
    public let columnNames: [String]
    /// One array per column (column-major).
    public let columns: [[Double]]

    public var cols: Int { columns.count }

    @inline(__always) public subscript(row: Int, col: Int) -> Double { columns[col][row] }

    /// Column-major flat array (column 0's rows, then column 1's, …).
    public var columnMajor: [Double] { columns.flatMap { $0 } }

    /// Row-major flat array (row 0's columns, then row 1's, …).
    public var rowMajor: [Double] {
        var out = [Double](repeating: 0, count: rows * cols)
        out.withUnsafeMutableBufferPointer { buf in
            for (j, col) in columns.enumerated() {
                col.withUnsafeBufferPointer { c in
                    for i in 0..<rows { buf[i * cols + j] = c[i] }
                }
            }
        }
        return out
    }
}

extension Frame {
    /// `columns` (default: every numeric-like column) as a dense matrix. Text
    /// columns are an error naming them.
    public func denseMatrix(columns names: [String]? = nil) throws -> DenseMatrix {
        let chosen = try names.map { try $0.map { try column($0) } }
            ?? columns.filter { $0.dtype != .string && $0.dtype != .category }
        var data: [[Double]] = []
        data.reserveCapacity(chosen.count)
        for c in chosen {
            if case .float64(let v) = c.data, c.validity == nil {
                data.append(v)                       // shared storage, no copy
            } else if let v = c.toDoubles() {
                data.append(v)
            } else {
                throw FrameError.typeMismatch(column: c.name, expected: "a numeric, bool, date or timestamp column", got: c.dtype)
            }
        }
        return DenseMatrix(rows: nrow, columnNames: chosen.map(\.name), columns: data)
    }
}
