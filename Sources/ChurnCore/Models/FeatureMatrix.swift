/// Model input: the feature columns of a frame in the two shapes models need.
/// Numeric-like columns (float, int, bool, date, timestamp) become Float64 with
/// NaN for missing; text columns become category codes with -1 for missing, so
/// trees can split on them natively and linear models can one-hot them.
public enum FeatureValues: Sendable {
    case numeric([Double])
    case categorical(codes: [Int32], levels: [String])

    public var count: Int {
        switch self {
        case .numeric(let v): return v.count
        case .categorical(let c, _): return c.count
        }
    }
}

/// Column-major feature matrix with names and, for categoricals, the levels seen at fit time.
public struct FeatureMatrix: Sendable {
    public let names: [String]
    public let features: [FeatureValues]
    public let nrow: Int

    public init(names: [String], features: [FeatureValues]) throws {
        guard names.count == features.count else { throw FrameError.invalid("\(names.count) names for \(features.count) features") }
        let n = features.first?.count ?? 0
        for (name, f) in zip(names, features) where f.count != n {
            throw FrameError.lengthMismatch(column: name, expected: n, got: f.count)
        }
        self.names = names; self.features = features; self.nrow = n
    }

    /// Extracts `columns` from `frame`. When `levels` is given (a fitted model's
    /// categorical levels by feature name), text columns are re-coded against
    /// them so codes mean the same at predict time as at fit time; unseen levels
    /// become missing (-1).
    public init(frame: Frame, columns: [String], levels: [String: [String]] = [:]) throws {
        var feats: [FeatureValues] = []
        feats.reserveCapacity(columns.count)
        for name in columns {
            let col = try frame.column(name)
            switch col.data {
            case .string(let codes, let dict), .category(let codes, let dict):
                feats.append(FeatureMatrix.recode(codes: codes, dictionary: dict, validity: col.validity, to: levels[name]))
            default:
                feats.append(.numeric(col.toDoubles()!))
            }
        }
        try self.init(names: columns, features: feats)
    }

    private static func recode(codes: [Int32], dictionary: [String], validity: Validity?,
                               to target: [String]?) -> FeatureValues {
        let levels = target ?? dictionary
        var map = [Int32](repeating: -1, count: dictionary.count)
        if let target {
            var pos: [String: Int32] = [:]
            for (i, s) in target.enumerated() { pos[s] = Int32(i) }
            for (i, s) in dictionary.enumerated() { map[i] = pos[s] ?? -1 }
        } else {
            for i in 0..<dictionary.count { map[i] = Int32(i) }
        }
        var out = [Int32](repeating: -1, count: codes.count)
        for i in 0..<codes.count where validity?.isValid(i) ?? true { out[i] = map[Int(codes[i])] }
        return .categorical(codes: out, levels: levels)
    }

    /// Categorical levels by feature name (to store with a fitted model).
    public var categoricalLevels: [String: [String]] {
        var out: [String: [String]] = [:]
        for (n, f) in zip(names, features) { if case .categorical(_, let l) = f { out[n] = l } }
        return out
    }

    /// Rows `rows` of every feature (for splits, bootstraps and folds).
    public func take(_ rows: [Int]) -> FeatureMatrix {
        let f: [FeatureValues] = features.map { v in
            switch v {
            case .numeric(let x): return .numeric(rows.map { x[$0] })
            case .categorical(let c, let l): return .categorical(codes: rows.map { c[$0] }, levels: l)
            }
        }
        return try! FeatureMatrix(names: names, features: f)
    }
}

/// A binary target as 0/1 doubles, remembering which original label is positive.
public struct BinaryTarget: Sendable {
    public let y: [Double]
    /// The label counted as 1, as text ("1", "true", "Yes").
    public let positiveLabel: String
    /// The other label.
    public let negativeLabel: String
    /// True when the positive class was chosen as the minority class (no `positive` given).
    public let positiveWasInferred: Bool

    /// From a 0/1 numeric, bool, or two-valued text column. `positive` names
    /// the positive label; without it: 1 / true, or the minority text label
    /// (ties: the label that sorts last). Nulls are an error naming the first row.
    public init(column: Column, positive: String? = nil) throws {
        if let first = (0..<column.count).first(where: { column.isNull($0) }) {
            throw FrameError.invalid("target '\(column.name)' has a null at row \(first + 1)")
        }
        switch column.data {
        case .string(let codes, let dict), .category(let codes, let dict):
            var counts = [Int](repeating: 0, count: dict.count)
            for c in codes { counts[Int(c)] += 1 }
            let used = (0..<dict.count).filter { counts[$0] > 0 }
            guard used.count == 2 else {
                throw FrameError.invalid("target '\(column.name)' must have exactly two values, found \(used.count): " +
                                         used.prefix(5).map { "'\(dict[$0])'" }.joined(separator: ", "))
            }
            let pos: Int
            if let positive {
                guard let p = used.first(where: { dict[$0] == positive }) else {
                    throw FrameError.invalid("positive label '\(positive)' not in target '\(column.name)' (values: '\(dict[used[0]])', '\(dict[used[1]])')")
                }
                pos = p
            } else {
                let (a, b) = (used[0], used[1])
                pos = counts[a] != counts[b] ? (counts[a] < counts[b] ? a : b) : (dict[a] > dict[b] ? a : b)
            }
            let neg = used.first { $0 != pos }!
            y = codes.map { Int($0) == pos ? 1 : 0 }
            positiveLabel = dict[pos]; negativeLabel = dict[neg]; positiveWasInferred = positive == nil
        case .bool(let v):
            let pos = positive.map { $0 == "false" || $0 == "0" } == true ? false : true
            y = v.map { $0 == pos ? 1 : 0 }
            positiveLabel = pos ? "true" : "false"; negativeLabel = pos ? "false" : "true"; positiveWasInferred = false
        default:
            let v = column.toDoubles()!
            for (i, x) in v.enumerated() where x != 0 && x != 1 {
                throw FrameError.invalid("target '\(column.name)' must be 0/1, bool or two-valued text; row \(i + 1) is \(x)")
            }
            let flip = positive == "0"
            y = flip ? v.map { 1 - $0 } : v
            positiveLabel = flip ? "0" : "1"; negativeLabel = flip ? "1" : "0"; positiveWasInferred = false
        }
    }

    public init(y: [Double]) { self.y = y; positiveLabel = "1"; negativeLabel = "0"; positiveWasInferred = false }
}

/// What every fitted binary classifier offers the binding layer.
public protocol BinaryClassifier {
    /// Feature names the model was fitted on, in order.
    var featureNames: [String] { get }
    /// P(positive) per row.
    func predictProba(_ X: FeatureMatrix) throws -> [Double]
    /// What model selection scores against the coded target: P(positive) for a
    /// binary model, the predicted value for regression, the predicted class
    /// code for multiclass.
    func metricScores(_ X: FeatureMatrix) throws -> [Double]
}

extension BinaryClassifier {
    public func metricScores(_ X: FeatureMatrix) throws -> [Double] { try predictProba(X) }
}
