/// Errors from fitting or applying tree models.
public enum TreeModelError: Error, CustomStringConvertible, Equatable {
    case emptyInput(String)
    case lengthMismatch(what: String, expected: Int, got: Int)
    case invalidTarget(row: Int, value: Double)
    case invalidNumericTarget(row: Int, value: Double)
    case invalidWeight(row: Int, value: Double)
    case invalidOption(String)
    case missingFeature(String, expected: [String])
    case featureKindMismatch(feature: String, fittedAsCategorical: Bool)

    public var description: String {
        switch self {
        case .emptyInput(let m): return m
        case .lengthMismatch(let w, let e, let g): return "\(w) has \(g) rows, expected \(e)"
        case .invalidTarget(let r, let v): return "target must be 0 or 1; row \(r + 1) is \(v)"
        case .invalidNumericTarget(let r, let v): return "a regression target must be finite; row \(r + 1) is \(v)"
        case .invalidWeight(let r, let v): return "weights must be finite and >= 0; row \(r + 1) is \(v)"
        case .invalidOption(let m): return m
        case .missingFeature(let f, let exp):
            return "the model needs feature '\(f)', which the input lacks (model features: \(exp.joined(separator: ", ")))"
        case .featureKindMismatch(let f, let cat):
            return "feature '\(f)' was \(cat ? "categorical" : "numeric") when the model was fitted, but is \(cat ? "numeric" : "categorical") now"
        }
    }
}

/// Pointer view of one feature column for traversal: exactly one of
/// `numeric` (NaN = missing) and `codes` (-1 = missing) is set.
struct RawColumn {
    let numeric: UnsafePointer<Double>?
    let codes: UnsafePointer<Int32>?
}

/// Names, kinds and categorical levels of the features a tree model was fitted
/// on. Applying the model checks the input against it and re-codes categorical
/// columns whose levels differ from the fitted ones (by level name; unseen
/// levels become missing).
public struct TreeInputSchema: Codable, Sendable, Equatable {
    public let names: [String]
    public let isCategorical: [Bool]
    /// Levels of each categorical feature (empty for numeric ones).
    public let levels: [[String]]

    init(_ X: FeatureMatrix) {
        names = X.names
        isCategorical = X.features.map { if case .categorical = $0 { return true } else { return false } }
        levels = X.features.map { if case .categorical(_, let l) = $0 { return l } else { return [] } }
    }

    /// `X`'s features in the fitted order and coding (matched by name).
    func align(_ X: FeatureMatrix) throws -> [FeatureValues] {
        if X.names == names && X.features.indices.allSatisfy({ sameCoding(X.features[$0], $0) }) { return X.features }
        var pos: [String: Int] = [:]
        for (i, n) in X.names.enumerated() { pos[n] = i }
        return try names.indices.map { i in
            guard let j = pos[names[i]] else { throw TreeModelError.missingFeature(names[i], expected: names) }
            let f = X.features[j]
            switch f {
            case .numeric:
                if isCategorical[i] { throw TreeModelError.featureKindMismatch(feature: names[i], fittedAsCategorical: true) }
                return f
            case .categorical(let codes, let lv):
                if !isCategorical[i] { throw TreeModelError.featureKindMismatch(feature: names[i], fittedAsCategorical: false) }
                if lv == levels[i] { return f }
                var index: [String: Int32] = [:]
                for (k, s) in levels[i].enumerated() { index[s] = Int32(k) }
                let map = lv.map { index[$0] ?? -1 }
                return .categorical(codes: codes.map { $0 < 0 || Int($0) >= map.count ? -1 : map[Int($0)] }, levels: levels[i])
            }
        }
    }

    private func sameCoding(_ f: FeatureValues, _ i: Int) -> Bool {
        switch f {
        case .numeric: return !isCategorical[i]
        case .categorical(_, let lv): return isCategorical[i] && lv == levels[i]
        }
    }
}

/// Calls `body` with pointer views of `features` (valid only inside `body`).
///
/// Not optimised, on purpose: specialised with a caller's closure inlined, the recursion
/// (one level per column, to keep each array's pointer valid) copied the closure's captured
/// values at every level — a retain and a release of every array in them, 45 times for a
/// 45-feature frame (a one-row GBDT predict_proba spent ~20 of its 64 us there). Unoptimised,
/// `body` is one opaque call and the recursion is 45 cheap appends.
@_optimize(none)
func withRawColumns<R>(_ features: [FeatureValues], _ body: (UnsafePointer<RawColumn>) throws -> R) rethrows -> R {
    var cols: [RawColumn] = []
    cols.reserveCapacity(features.count)
    func go(_ i: Int) throws -> R {
        if i == features.count { return try cols.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 8)!) } }
        switch features[i] {
        case .numeric(let v):
            return try v.withUnsafeBufferPointer { p in
                cols.append(RawColumn(numeric: p.baseAddress ?? UnsafePointer(bitPattern: 8)!, codes: nil)); return try go(i + 1)
            }
        case .categorical(let c, _):
            return try c.withUnsafeBufferPointer { p in
                cols.append(RawColumn(numeric: nil, codes: p.baseAddress ?? UnsafePointer(bitPattern: 8)!)); return try go(i + 1)
            }
        }
    }
    return try go(0)
}

/// Checks a 0/1 target and optional non-negative weights against `n` rows.
func validateTarget(_ y: [Double], weights: [Double]?, n: Int, objective: GradientBoostingObjective = .binary,
                    classes: Int = 2) throws {
    guard n > 0 else { throw TreeModelError.emptyInput("cannot fit a model on 0 rows") }
    guard y.count == n else { throw TreeModelError.lengthMismatch(what: "target", expected: n, got: y.count) }
    switch objective {
    case .binary:
        for (i, v) in y.enumerated() where v != 0 && v != 1 { throw TreeModelError.invalidTarget(row: i, value: v) }
    case .regression:
        for (i, v) in y.enumerated() where !v.isFinite { throw TreeModelError.invalidNumericTarget(row: i, value: v) }
    case .multiclass:
        guard classes >= 2 && classes <= ModelTarget.maxClasses else {
            throw TreeModelError.invalidOption("multiclass needs 2...\(ModelTarget.maxClasses) classes, got \(classes)")
        }
        for (i, v) in y.enumerated() where !(v >= 0 && v < Double(classes) && v == v.rounded()) {
            throw TreeModelError.invalidOption("multiclass target: row \(i + 1) is \(v); class codes must be whole numbers in 0..<\(classes)")
        }
    }
    if let w = weights {
        guard w.count == n else { throw TreeModelError.lengthMismatch(what: "weights", expected: n, got: w.count) }
        for (i, v) in w.enumerated() where !(v >= 0 && v.isFinite) { throw TreeModelError.invalidWeight(row: i, value: v) }
    }
}

/// Class weighting for CART and random forests.
public enum ClassWeight: Codable, Sendable, Equatable {
    case none
    /// n / (2 · n_class), as scikit-learn's "balanced".
    case balanced
    case custom(negative: Double, positive: Double)

    /// Per-row weights combining class weights with optional sample weights.
    func rowWeights(_ y: [Double], sampleWeights: [Double]?) -> [Double] {
        var w = sampleWeights ?? [Double](repeating: 1, count: y.count)
        let (wn, wp): (Double, Double)
        switch self {
        case .none: return w
        case .balanced:
            let pos = y.reduce(0, +), n = Double(y.count)
            wp = pos > 0 ? n / (2 * pos) : 1; wn = pos < n ? n / (2 * (n - pos)) : 1
        case .custom(let a, let b): wn = a; wp = b
        }
        for i in w.indices { w[i] *= y[i] == 1 ? wp : wn }
        return w
    }
}
