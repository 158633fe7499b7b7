/// What a model is fitted to predict. One registry of target kinds, so a new
/// kind (e.g. a survival target of durations and events) is one more case here
/// and in `ModelTarget.init`, not a change to every model.
public enum TargetKind: String, Codable, Sendable, CaseIterable {
    /// Two classes coded 0/1 (`BinaryTarget`); models predict P(positive).
    case binary
    /// A finite number per row (LTV, revenue, counts); models predict the value.
    case continuous
    /// Three or more (or any number of) classes coded 0..<K in sorted label
    /// order; models predict one probability per class.
    case multiclass

    /// What the kind asks of the target column, for error messages.
    public var expects: String {
        switch self {
        case .binary: return "the 0/1, bool or two-valued text column"
        case .continuous: return "a numeric column without nulls"
        case .multiclass: return "a text, integer or bool column of class labels"
        }
    }
}

/// A target column coded for fitting: `y` as doubles (0/1, values, or class
/// indices 0..<K), with what is needed to turn predictions back into labels.
public struct ModelTarget: Sendable {
    public let kind: TargetKind
    public let y: [Double]
    /// The binary coding (positive label), for `.binary`.
    public let binary: BinaryTarget?
    /// Class labels as text in code order (sorted: numerically for number
    /// columns, by text otherwise), for `.multiclass`.
    public let classes: [String]?

    /// Codes `column` as a target of `kind`. Nulls are an error naming the
    /// first row; `positive` applies to binary targets only.
    public init(column: Column, kind: TargetKind, positive: String? = nil) throws {
        self.kind = kind
        if kind != .binary, positive != nil {
            throw FrameError.invalid("'positive' is for binary targets; this model's target is \(kind.rawValue)")
        }
        if kind != .binary, let first = (0..<column.count).first(where: { column.isNull($0) }) {
            throw FrameError.invalid("target '\(column.name)' has a null at row \(first + 1)")
        }
        switch kind {
        case .binary:
            let b = try BinaryTarget(column: column, positive: positive)
            y = b.y; binary = b; classes = nil
        case .continuous:
            guard column.dtype != .string && column.dtype != .category && column.dtype != .bool, let v = column.toDoubles() else {
                throw FrameError.typeMismatch(column: column.name, expected: "a numeric target (regression)", got: column.dtype)
            }
            if let i = v.firstIndex(where: { !$0.isFinite }) {
                throw FrameError.invalid("target '\(column.name)' must be finite; row \(i + 1) is \(v[i])")
            }
            y = v; binary = nil; classes = nil
        case .multiclass:
            let labels: [String]
            var codes: [Int]
            switch column.data {
            case .string(let c, let dict), .category(let c, let dict):
                let used = Set(c.map { Int($0) })
                labels = used.map { dict[$0] }.sorted()
                let pos = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
                let map = dict.map { pos[$0] ?? -1 }
                codes = c.map { map[Int($0)] }
            case .bool(let b):
                labels = Array(Set(b)).sorted { !$0 && $1 }.map { $0 ? "true" : "false" }
                codes = b.map { labels.firstIndex(of: $0 ? "true" : "false")! }
            default:
                guard column.dtype != .date && column.dtype != .timestamp, let v = column.toDoubles() else {
                    throw FrameError.typeMismatch(column: column.name, expected: "class labels (text, integer or bool)", got: column.dtype)
                }
                if let i = v.firstIndex(where: { !$0.isFinite || $0 != $0.rounded() }) {
                    throw FrameError.invalid("target '\(column.name)': class labels must be whole numbers; row \(i + 1) is \(v[i])")
                }
                let values = Array(Set(v)).sorted()
                let pos = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
                labels = values.map { ModelTarget.label($0) }
                codes = v.map { pos[$0]! }
            }
            guard labels.count >= 2 else {
                throw FrameError.invalid("target '\(column.name)' has \(labels.count) class; a classifier needs at least 2")
            }
            guard labels.count <= ModelTarget.maxClasses else {
                throw FrameError.invalid("target '\(column.name)' has \(labels.count) classes; at most \(ModelTarget.maxClasses) are supported")
            }
            y = codes.map(Double.init); binary = nil; classes = labels
        }
    }

    /// Row numbers standing in for a survival target: duration and event live
    /// in `SurvivalTarget`, and the selection code reaches them through `y`
    /// (fold rows → the same rows of the duration and event).
    public init(survivalRows n: Int) {
        kind = .continuous; y = (0..<n).map(Double.init); binary = nil; classes = nil
    }

    /// The coding of a fitted multiclass model's target (no rows): for
    /// `init(column:like:)` when only the saved class labels are known.
    public init(classes: [String]) {
        kind = .multiclass; y = []; binary = nil; self.classes = classes
    }

    /// Another column (an eval set) coded as `training` was: the same positive
    /// label, or the same class codes (a label training did not have is an error).
    public init(column: Column, like training: ModelTarget) throws {
        switch training.kind {
        case .binary:
            let b = try BinaryTarget(column: column, positive: training.binary?.positiveLabel)
            kind = .binary; y = b.y; binary = b; classes = nil
        case .continuous:
            self = try ModelTarget(column: column, kind: .continuous)
        case .multiclass:
            let own = try ModelTarget(column: column, kind: .multiclass)
            let classes = training.classes ?? []
            let pos = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            let map = try (own.classes ?? []).map { label -> Double in
                guard let k = pos[label] else {
                    throw FrameError.invalid("target '\(column.name)' has class '\(label)', which the training target did not (classes: \(classes.joined(separator: ", ")))")
                }
                return Double(k)
            }
            kind = .multiclass; y = own.y.map { map[Int($0)] }; binary = nil; self.classes = classes
        }
    }

    /// Upper bound on classes (one tree per class per round).
    public static let maxClasses = 1024

    /// Text of a whole-number class value ("3", not "3.0").
    static func label(_ v: Double) -> String { abs(v) < 1e15 ? String(Int64(v)) : "\(v)" }

    /// The class count (2 for binary, 0 for continuous).
    public var classCount: Int { classes?.count ?? (kind == .binary ? 2 : 0) }
}

/// Index of the largest value per row of column-major class scores (first on ties).
public func argmaxRows(_ columns: [[Double]]) -> [Int] {
    guard let n = columns.first?.count else { return [] }
    var best = [Int](repeating: 0, count: n)
    var top = columns[0]
    for k in 1..<max(1, columns.count) where columns.count > 1 {
        let col = columns[k]
        for i in 0..<n where col[i] > top[i] { top[i] = col[i]; best[i] = k }
    }
    return best
}
