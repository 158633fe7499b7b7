/// Shared pieces of the preprocessing steps: the protocol, errors, and column
/// selection/statistics helpers. Every step is fitted on a training frame and
/// then applied to any frame with the same columns; fitted state is Codable
/// so models can save their preprocessing with them. Missing values (null, and
/// NaN in float columns, as scikit-learn treats them) are ignored when fitting.

public protocol PrepTransformer: Codable, Sendable {
    /// Learns the step's statistics from `frame`.
    mutating func fit(_ frame: Frame) throws
    /// Applies the fitted step; unchanged columns are shared with the input.
    func transform(_ frame: Frame) throws -> Frame
}

extension PrepTransformer {
    public mutating func fitTransform(_ frame: Frame) throws -> Frame {
        try fit(frame)
        return try transform(frame)
    }
}

public enum PrepError: Error, CustomStringConvertible, Equatable {
    case notFitted(step: String)
    case unknownCategory(step: String, column: String, value: String, row: Int)
    case noValues(step: String, column: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .notFitted(let s): return "\(s): transform called before fit"
        case .unknownCategory(let s, let c, let v, let r):
            return "\(s): column '\(c)' row \(r + 1) has category '\(v)' not seen in fit"
        case .noValues(let s, let c): return "\(s): column '\(c)' has no non-missing values to fit on"
        case .invalid(let m): return m
        }
    }
}

/// What a step applies to when no columns are named.
enum ColumnKind { case numeric, text, any }

enum PrepColumns {
    /// Named columns (checked to exist), or every column of the default kind.
    static func resolve(_ names: [String]?, in frame: Frame, default kind: ColumnKind) throws -> [String] {
        if let names {
            for n in names { _ = try frame.column(n) }
            return names
        }
        return frame.columns.filter { c in
            switch kind {
            case .numeric: return c.dtype == .float64 || c.dtype == .int64
            case .text: return c.data.isText
            case .any: return true
            }
        }.map(\.name)
    }

    /// Column values as Double, or a type error naming the step and column.
    static func numeric(_ c: Column, step: String) throws -> [Double] {
        guard c.data.isNumeric, let v = c.toDoubles() else {
            throw FrameError.typeMismatch(column: c.name, expected: "a numeric column for \(step)", got: c.dtype)
        }
        return v
    }

    /// Non-missing values (nulls are NaN after `toDoubles`).
    static func present(_ v: [Double]) -> [Double] { v.filter { !$0.isNaN } }

    /// numpy's default (linear) quantile of sorted values.
    static func quantile(sorted v: [Double], _ q: Double) -> Double {
        let pos = q * Double(v.count - 1)
        let i = Int(pos.rounded(.down)), f = pos - Double(i)
        return i + 1 < v.count ? v[i] + (v[i + 1] - v[i]) * f : v[i]
    }

    /// A float column with `f` applied to present values; nulls stay null, NaN stays NaN.
    static func mapFloat(_ c: Column, _ x: [Double], _ f: (Double) -> Double) -> Column {
        Column(name: c.name, data: .float64(x.map { $0.isNaN ? $0 : f($0) }), validity: c.validity)
    }
}
