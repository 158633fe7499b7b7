/// The numeric design matrix a linear model works on, built from a `FeatureMatrix`.
///
/// Numeric features pass through. A categorical feature with levels
/// `[l0, l1, …, lk]` becomes k indicator columns named `feature=l1 … feature=lk`
/// (the first level is the reference and is dropped, as statsmodels' and
/// pandas' `drop_first` do). Linear models cannot take missing values, so a NaN
/// numeric value or a missing/unseen category is an error naming the feature
/// and row; impute first (the prep pipeline does).
///
/// Storage is column-major: column j occupies `values[j*nrow ..< (j+1)*nrow]`,
/// which keeps the gradient's per-column passes contiguous.
public struct LinearDesign: Sendable {
    public let nrow: Int
    public let ncol: Int
    /// Column names (`plan=annual` for indicators).
    public let names: [String]
    /// For each design column, the index of the feature it came from.
    public let source: [Int]
    public var values: [Double]

    /// How each input feature expands; stored with a fitted model so prediction
    /// rebuilds exactly the same columns.
    public struct Layout: Codable, Sendable, Equatable {
        public struct Feature: Codable, Sendable, Equatable {
            public var name: String
            /// nil for numeric features; the fit-time levels for categoricals.
            public var levels: [String]?
        }
        public var features: [Feature]

        /// Design column names in order.
        public var columnNames: [String] {
            features.flatMap { f in f.levels.map { $0.dropFirst().map { "\(f.name)=\($0)" } } ?? [f.name] }
        }
    }

    /// The layout implied by a training matrix. A categorical keeps the levels
    /// that occur in it, sorted (Unicode order), so the reference level is the
    /// alphabetically first one whatever order the data arrived in — as pandas'
    /// `get_dummies(drop_first=True)` and R's default factor coding.
    public static func layout(of X: FeatureMatrix) -> Layout {
        Layout(features: zip(X.names, X.features).map { name, f in
            if case .categorical(let codes, let levels) = f {
                var used = [Bool](repeating: false, count: levels.count)
                for c in codes where c >= 0 { used[Int(c)] = true }
                let kept = levels.indices.filter { used[$0] }.map { levels[$0] }.sorted()
                return .init(name: name, levels: kept)
            }
            return .init(name: name, levels: nil)
        })
    }

    /// Builds the design for `X` following `layout`. Features are matched by
    /// name (order in `X` does not matter); missing ones are listed in the error.
    public init(_ X: FeatureMatrix, layout: Layout, model: String = "logistic regression") throws {
        var position: [String: Int] = [:]
        for (i, n) in X.names.enumerated() { position[n] = i }
        let missing = layout.features.map(\.name).filter { position[$0] == nil }
        if !missing.isEmpty { throw LinearModelError.missingFeatures(missing) }
        let n = X.nrow
        let names = layout.columnNames
        var values = [Double](repeating: 0, count: n * names.count)
        var source: [Int] = []
        var col = 0
        try values.withUnsafeMutableBufferPointer { out in
            for (fi, feature) in layout.features.enumerated() {
                let input = X.features[position[feature.name]!]
                switch (input, feature.levels) {
                case (.numeric(let v), nil):
                    try v.withUnsafeBufferPointer { v in
                        let dst = out.baseAddress! + col * n
                        for i in 0..<n {
                            let x = v[i]
                            guard x.isFinite else { throw LinearModelError.badValue(model: model, feature: feature.name, row: i, value: x) }
                            dst[i] = x
                        }
                    }
                    source.append(fi); col += 1
                case (.categorical(let codes, let inputLevels), let levels?):
                    // Map the input's codes onto the fit-time levels by text.
                    var index: [String: Int] = [:]
                    for (i, l) in levels.enumerated() { index[l] = i }
                    let map = inputLevels.map { index[$0] ?? -1 }
                    let k = levels.count - 1
                    for i in 0..<n {
                        let c = Int(codes[i])
                        let level = c >= 0 ? map[c] : -1
                        guard level >= 0 else {
                            throw LinearModelError.badCategory(model: model, feature: feature.name, row: i,
                                                               level: c >= 0 ? inputLevels[c] : nil)
                        }
                        if level > 0 { out[(col + level - 1) * n + i] = 1 }
                    }
                    source += [Int](repeating: fi, count: k); col += k
                case (.numeric, _?):
                    throw LinearModelError.typeChanged(feature: feature.name, fitted: "categorical", given: "numeric")
                case (.categorical, nil):
                    throw LinearModelError.typeChanged(feature: feature.name, fitted: "numeric", given: "categorical")
                }
            }
        }
        self.nrow = n; self.ncol = names.count; self.names = names; self.source = source; self.values = values
    }

    /// Column j as a buffer (valid inside `body`).
    @inline(__always)
    public func withColumns<R>(_ body: (UnsafePointer<Double>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Per-column mean and population standard deviation (scale 1 for constant
    /// columns, so they pass through unchanged), as scikit-learn's StandardScaler.
    public func columnMoments() -> (mean: [Double], scale: [Double]) {
        var mean = [Double](repeating: 0, count: ncol), scale = [Double](repeating: 1, count: ncol)
        guard nrow > 0 else { return (mean, scale) }
        values.withUnsafeBufferPointer { v in
            for j in 0..<ncol {
                let c = v.baseAddress! + j * nrow
                var s = 0.0
                for i in 0..<nrow { s += c[i] }
                let m = s / Double(nrow)
                var ss = 0.0
                for i in 0..<nrow { let d = c[i] - m; ss += d * d }
                let sd = (ss / Double(nrow)).squareRoot()
                mean[j] = m; scale[j] = sd > 0 ? sd : 1
            }
        }
        return (mean, scale)
    }

    /// Replaces every column by (x - mean) / scale in place.
    public mutating func standardize(mean: [Double], scale: [Double]) {
        let n = nrow
        values.withUnsafeMutableBufferPointer { v in
            for j in 0..<ncol {
                let c = v.baseAddress! + j * n
                let m = mean[j], inv = 1 / scale[j]
                for i in 0..<n { c[i] = (c[i] - m) * inv }
            }
        }
    }
}

public enum LinearModelError: Error, CustomStringConvertible, Equatable {
    case missingFeatures([String])
    case badValue(model: String, feature: String, row: Int, value: Double)
    case badCategory(model: String, feature: String, row: Int, level: String?)
    case typeChanged(feature: String, fitted: String, given: String)
    case invalidOption(String)
    case badTarget(String)
    case lengthMismatch(what: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case .missingFeatures(let f):
            return "the frame lacks \(f.count) feature\(f.count == 1 ? "" : "s") the model was fitted on: " +
                f.map { "'\($0)'" }.joined(separator: ", ")
        case .badValue(let m, let f, let r, let v):
            return "\(m): feature '\(f)' is \(v.isNaN ? "missing (NaN/null)" : "\(v)") at row \(r + 1); impute or drop it first"
        case .badCategory(let m, let f, let r, let l):
            return l.map { "\(m): feature '\(f)' has level '\($0)' at row \(r + 1), not seen when fitting" }
                ?? "\(m): feature '\(f)' is missing at row \(r + 1); impute it first"
        case .typeChanged(let f, let a, let b):
            return "feature '\(f)' was \(a) when fitting but is \(b) now"
        case .invalidOption(let m): return m
        case .badTarget(let m): return m
        case .lengthMismatch(let w, let e, let g): return "\(w) has \(g) values, expected \(e)"
        }
    }
}
