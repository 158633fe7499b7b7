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
        // Column offset of each feature, and type checks, before any copying.
        var firstColumn: [Int] = [], source: [Int] = []
        for (fi, feature) in layout.features.enumerated() {
            let input = X.features[position[feature.name]!]
            switch (input, feature.levels) {
            case (.numeric, nil): firstColumn.append(source.count); source.append(fi)
            case (.categorical, let levels?):
                guard !levels.isEmpty else { throw LinearModelError.badCategory(model: model, feature: feature.name, row: 0, level: nil) }
                firstColumn.append(source.count); source += [Int](repeating: fi, count: levels.count - 1)
            case (.numeric, _?): throw LinearModelError.typeChanged(feature: feature.name, fitted: "categorical", given: "numeric")
            case (.categorical, nil): throw LinearModelError.typeChanged(feature: feature.name, fitted: "numeric", given: "categorical")
            }
        }
        // Fill features in parallel (each writes only its own columns); the
        // first error in feature order wins, so messages are deterministic.
        var errors = [LinearModelError?](repeating: nil, count: layout.features.count)
        let bytes = WorkingMemory.bytes(n, WorkingMemory.bytes(names.count, 8))
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("\(model) design matrix \(n)×\(names.count)", bytes))
        let values = [Double](unsafeUninitializedCapacity: n * names.count) { out, initialized in
            let base = out.baseAddress!
            errors.withUnsafeMutableBufferPointer { errs in
                Parallel.forEach(layout.features.count) { fi in
                    let feature = layout.features[fi]
                    let dst = base + firstColumn[fi] * n
                    switch X.features[position[feature.name]!] {
                    case .numeric(let v):
                        v.withUnsafeBufferPointer { v in
                            dst.initialize(from: v.baseAddress!, count: n)
                            if !VectorKernels.allFinite(dst, n), let bad = (0..<n).first(where: { !v[$0].isFinite }) {
                                errs[fi] = .badValue(model: model, feature: feature.name, row: bad, value: v[bad])
                            }
                        }
                    case .categorical(let codes, let inputLevels):
                        // Map the input's codes onto the fit-time levels by text.
                        let levels = feature.levels!
                        var index: [String: Int] = [:]
                        for (i, l) in levels.enumerated() { index[l] = i }
                        let map = inputLevels.map { index[$0] ?? -1 }
                        let k = levels.count - 1
                        dst.initialize(repeating: 0, count: k * n)
                        for i in 0..<n {
                            let c = Int(codes[i])
                            let level = c >= 0 ? map[c] : -1
                            if level > 0 { dst[(level - 1) * n + i] = 1 }
                            else if level < 0 && errs[fi] == nil {
                                errs[fi] = .badCategory(model: model, feature: feature.name, row: i, level: c >= 0 ? inputLevels[c] : nil)
                            }
                        }
                    }
                }
            }
            initialized = n * names.count
        }
        if let e = errors.compactMap({ $0 }).first { throw e }
        self.nrow = n; self.ncol = names.count; self.names = names; self.source = source; self.values = values
    }

    /// β·x + b for every row of `X`, straight from the feature columns (no
    /// design copy): numeric features add coef·x, categoricals add their level's
    /// coefficient (0 for the reference level). Row chunks run in parallel; each
    /// row sums in layout order, so results do not depend on the thread count.
    /// Same validation and errors as building the design.
    public static func linearPredictor(_ X: FeatureMatrix, layout: Layout, coef: [Double], intercept: Double,
                                       model: String = "logistic regression") throws -> [Double] {
        var position: [String: Int] = [:]
        for (i, n) in X.names.enumerated() { position[n] = i }
        let missing = layout.features.map(\.name).filter { position[$0] == nil }
        if !missing.isEmpty { throw LinearModelError.missingFeatures(missing) }
        enum Term { case numeric([Double], Double), categorical([Int32], [Double], [String]) }
        var terms: [Term] = []
        var col = 0
        for feature in layout.features {
            switch (X.features[position[feature.name]!], feature.levels) {
            case (.numeric(let v), nil):
                terms.append(.numeric(v, coef[col])); col += 1
            case (.categorical(let codes, let inputLevels), let levels?):
                var index: [String: Int] = [:]
                for (i, l) in levels.enumerated() { index[l] = i }
                // Coefficient per input code + 1 (slot 0 is code −1, missing); NaN
                // marks missing or a level unseen at fit time.
                let table = [Double.nan] + inputLevels.map { l -> Double in
                    guard let k = index[l] else { return .nan }
                    return k == 0 ? 0 : coef[col + k - 1]
                }
                terms.append(.categorical(codes, table, inputLevels)); col += max(0, levels.count - 1)
            case (.numeric, _?): throw LinearModelError.typeChanged(feature: feature.name, fitted: "categorical", given: "numeric")
            case (.categorical, nil): throw LinearModelError.typeChanged(feature: feature.name, fitted: "numeric", given: "categorical")
            }
        }
        let n = X.nrow
        let ranges = Parallel.ranges(n, chunks: max(1, (n + 8191) / 8192))
        var bad = [Bool](repeating: false, count: ranges.count)
        var z = [Double](repeating: intercept, count: n)
        z.withUnsafeMutableBufferPointer { zb in
            bad.withUnsafeMutableBufferPointer { badb in
                let out = zb.baseAddress!
                Parallel.forEach(ranges.count) { c in
                    let r = ranges[c]
                    for term in terms {
                        switch term {
                        case .numeric(let v, let b):
                            v.withUnsafeBufferPointer { v in
                                let x = v.baseAddress!
                                for i in r { out[i] += b * x[i] }
                            }
                        case .categorical(let codes, let table, _):
                            codes.withUnsafeBufferPointer { codes in
                                table.withUnsafeBufferPointer { table in
                                    for i in r { out[i] += table[Int(codes[i]) + 1] }
                                }
                            }
                        }
                    }
                    // A NaN/inf input (or missing/unseen level) leaves a non-finite margin.
                    badb[c] = !VectorKernels.allFinite(out + r.lowerBound, r.count)
                }
            }
        }
        if bad.contains(true) {
            // Rare path: find the first offending row and feature for the message. A
            // margin that overflowed from finite inputs is legitimate (p = 0 or 1).
            for i in 0..<n where !z[i].isFinite {
                for (t, feature) in zip(terms, layout.features) {
                    switch t {
                    case .numeric(let v, _) where !v[i].isFinite:
                        throw LinearModelError.badValue(model: model, feature: feature.name, row: i, value: v[i])
                    case .categorical(let codes, let table, let inputLevels) where table[Int(codes[i]) + 1].isNaN:
                        throw LinearModelError.badCategory(model: model, feature: feature.name, row: i,
                                                           level: codes[i] >= 0 ? inputLevels[Int(codes[i])] : nil)
                    default: continue
                    }
                }
            }
        }
        return z
    }

    /// Column j as a buffer (valid inside `body`).
    @inline(__always)
    public func withColumns<R>(_ body: (UnsafePointer<Double>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Per-column mean and population standard deviation (scale 1 for constant
    /// columns, so they pass through unchanged), as scikit-learn's StandardScaler.
    /// Columns run in parallel; each column's sums are sequential in a fixed
    /// order, so the result does not depend on the thread count.
    public func columnMoments() -> (mean: [Double], scale: [Double]) {
        var mean = [Double](repeating: 0, count: ncol), scale = [Double](repeating: 1, count: ncol)
        guard nrow > 0 else { return (mean, scale) }
        let n = nrow
        values.withUnsafeBufferPointer { v in
            mean.withUnsafeMutableBufferPointer { mb in
                scale.withUnsafeMutableBufferPointer { sb in
                    Parallel.forEach(ncol) { j in
                        let c = v.baseAddress! + j * n
                        let m = VectorKernels.sum(c, n) / Double(n)
                        let sd = (VectorKernels.sumSquaredDeviations(c, n, from: m) / Double(n)).squareRoot()
                        mb[j] = m; sb[j] = sd > 0 ? sd : 1
                    }
                }
            }
        }
        return (mean, scale)
    }

    /// Replaces every column by (x - center) / scale in place.
    public mutating func standardize(mean center: [Double], scale: [Double]) {
        let n = nrow
        values.withUnsafeMutableBufferPointer { v in
            let base = v.baseAddress!
            Parallel.forEach(ncol) { j in
                let c = base + j * n
                let m = center[j], inv = 1 / scale[j]
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
