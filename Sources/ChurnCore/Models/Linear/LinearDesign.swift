/// The numeric design matrix a linear model works on, built from a `FeatureMatrix`.
///
/// Numeric features pass through. A categorical feature with levels
/// `[l0, l1, …, lk]` becomes k indicator columns named `feature=l1 … feature=lk`
/// (the first level is the reference and is dropped, as statsmodels' and
/// pandas' `drop_first` do). Linear models cannot take missing values, so a NaN
/// numeric value or a missing/unseen category is an error naming the feature
/// and row; impute first (the prep pipeline does).
///
/// Storage is mixed, so one-hot blocks cost what their ones cost:
/// * dense columns, column-major: design column j with `slot[j] = s ≥ 0`
///   occupies `values[s*nrow ..< (s+1)*nrow]`, which keeps the gradient's
///   per-column passes contiguous;
/// * sparse 0/1 indicator columns (a categorical's indicators, or a numeric
///   column of 0s and 1s such as a prep pipeline's `one_hot` output, with at
///   most `maxIndicatorDensity` ones; `slot[j] = −1`) stored by row (CSR): the
///   ones of row i are the columns `sparseColumns[sparseStart[i] ..< sparseStart[i+1]]`,
///   ascending. A 320-column one-hot design of 800k rows is then 40 dense
///   columns plus 5 entries a row instead of 2 GB of mostly zeros, and each
///   objective evaluation touches 8× less memory.
///
/// `standardize` centres and scales: dense columns in place; sparse columns
/// keep their 0/1 and record `center`/`scale`, which users of the design apply
/// implicitly (x̃ = (x − c)/s: a one contributes (1 − c)/s, every row −c/s), so
/// the sparsity survives centring.
public struct LinearDesign: Sendable {
    public let nrow: Int
    public let ncol: Int
    /// Column names (`plan=annual` for indicators).
    public let names: [String]
    /// For each design column, the index of the feature it came from.
    public let source: [Int]
    /// Dense columns, column-major, in slot order.
    public private(set) var values: [Double]
    /// Per design column: its slot in `values`, or −1 for a sparse indicator column.
    public let slot: [Int]
    /// Row starts into `sparseColumns` (nrow + 1 entries; empty without sparse columns).
    public let sparseStart: [Int]
    /// The sparse columns equal to 1, row by row, ascending within a row.
    public let sparseColumns: [Int32]
    /// Ones per column (sparse columns; 0 for dense ones).
    let ones: [Int]
    /// Centre and scale applied by `standardize` (0 and 1 before it).
    public private(set) var center: [Double]
    public private(set) var scale: [Double]

    /// Largest fraction of ones for which a 0/1 column is stored sparse (the
    /// sparse pass costs about twice a dense pass per one, and pays an index).
    public static let maxIndicatorDensity = 0.25
    /// The limit in use: tests set it below 0 to build the all-dense design
    /// and check that both storages give the same fit.
    nonisolated(unsafe) static var indicatorDensityLimit = maxIndicatorDensity

    public var hasSparseColumns: Bool { !sparseColumns.isEmpty || slot.contains(-1) }
    var denseCount: Int { values.count / max(nrow, 1) }

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

    /// One input feature as the design sees it.
    private enum Input {
        case numeric([Double])
        /// Codes mapped to fit-time level indices (−1: missing or unseen).
        case categorical(codes: [Int32], map: [Int], inputLevels: [String])
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
        let ncol = names.count
        // Column offset of each feature, and type checks, before any copying.
        var firstColumn: [Int] = [], source: [Int] = []
        var inputs: [Input] = []
        for (fi, feature) in layout.features.enumerated() {
            let input = X.features[position[feature.name]!]
            switch (input, feature.levels) {
            case (.numeric(let v), nil):
                firstColumn.append(source.count); source.append(fi); inputs.append(.numeric(v))
            case (.categorical(let codes, let inputLevels), let levels?):
                guard !levels.isEmpty else { throw LinearModelError.badCategory(model: model, feature: feature.name, row: 0, level: nil) }
                firstColumn.append(source.count); source += [Int](repeating: fi, count: levels.count - 1)
                // Map the input's codes onto the fit-time levels by text.
                var index: [String: Int] = [:]
                for (i, l) in levels.enumerated() { index[l] = i }
                inputs.append(.categorical(codes: codes, map: inputLevels.map { index[$0] ?? -1 }, inputLevels: inputLevels))
            case (.numeric, _?): throw LinearModelError.typeChanged(feature: feature.name, fitted: "categorical", given: "numeric")
            case (.categorical, nil): throw LinearModelError.typeChanged(feature: feature.name, fitted: "numeric", given: "categorical")
            }
        }
        let nf = layout.features.count
        let sparseLimit = Self.indicatorDensityLimit < 0 ? -1 : Int(Double(n) * Self.indicatorDensityLimit)

        // Pass 1, per feature in parallel: validation, and the ones of each
        // 0/1 column sparse enough to be stored by row (−1: dense).
        var errors = [LinearModelError?](repeating: nil, count: nf)
        var ones = [Int](repeating: -1, count: ncol)
        errors.withUnsafeMutableBufferPointer { errs in
            ones.withUnsafeMutableBufferPointer { ones in
                Parallel.forEach(nf) { fi in
                    let name = layout.features[fi].name, first = firstColumn[fi]
                    switch inputs[fi] {
                    case .numeric(let v):
                        v.withUnsafeBufferPointer { v in
                            guard n > 0 else { return }
                            if !VectorKernels.allFinite(v.baseAddress!, n), let bad = (0..<n).first(where: { !v[$0].isFinite }) {
                                errs[fi] = .badValue(model: model, feature: name, row: bad, value: v[bad])
                                return
                            }
                            var count = 0
                            for i in 0..<n {
                                let x = v[i]
                                if x == 1 { count += 1 } else if x != 0 { return }
                            }
                            if n > 0 && count <= sparseLimit { ones[first] = count }
                        }
                    case .categorical(let codes, let map, let inputLevels):
                        var counts = [Int](repeating: 0, count: layout.features[fi].levels!.count)
                        for i in 0..<n {
                            let c = Int(codes[i])
                            let level = c >= 0 ? map[c] : -1
                            if level >= 0 { counts[level] += 1 }
                            else if errs[fi] == nil {
                                errs[fi] = .badCategory(model: model, feature: name, row: i, level: c >= 0 ? inputLevels[c] : nil)
                            }
                        }
                        for k in 1..<max(1, counts.count) where counts[k] <= sparseLimit { ones[first + k - 1] = counts[k] }
                    }
                }
            }
        }
        if let e = errors.compactMap({ $0 }).first { throw e }

        var slot = [Int](repeating: -1, count: ncol)
        var dense = 0, nnz = 0
        for j in 0..<ncol { if ones[j] < 0 { slot[j] = dense; dense += 1 } else { nnz += ones[j] } }
        let bytes = WorkingMemory.bytes(n, WorkingMemory.bytes(dense, 8)) + nnz * 4 + (nnz > 0 ? (n + 1) * 8 : 0)
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("\(model) design matrix \(n)×\(ncol)", bytes))

        // Dense columns, per feature in parallel (each writes only its own columns).
        let values = [Double](unsafeUninitializedCapacity: n * dense) { out, initialized in
            guard n * dense > 0, let base = out.baseAddress else { initialized = 0; return }
            Parallel.forEach(nf) { fi in
                let first = firstColumn[fi]
                switch inputs[fi] {
                case .numeric(let v):
                    guard slot[first] >= 0 else { return }
                    v.withUnsafeBufferPointer { v in (base + slot[first] * n).initialize(from: v.baseAddress!, count: n) }
                case .categorical(let codes, let map, _):
                    let k = layout.features[fi].levels!.count - 1
                    for c in first..<(first + k) where slot[c] >= 0 { (base + slot[c] * n).initialize(repeating: 0, count: n) }
                    guard (first..<(first + k)).contains(where: { slot[$0] >= 0 }) else { return }
                    for i in 0..<n {
                        let level = map[Int(codes[i])]   // validated above: ≥ 0
                        if level > 0, slot[first + level - 1] >= 0 { base[slot[first + level - 1] * n + i] = 1 }
                    }
                }
            }
            initialized = n * dense
        }

        // Sparse columns by row: count, prefix sums, fill — over row chunks in
        // parallel, features in order within a row, so columns come out ascending.
        var start: [Int] = [], cols: [Int32] = []
        if nnz > 0 {
            let sparseFeatures = (0..<nf).filter { fi in
                let k = layout.features[fi].levels.map { $0.count - 1 } ?? 1
                return (firstColumn[fi]..<(firstColumn[fi] + k)).contains { slot[$0] < 0 }
            }
            let ranges = Parallel.ranges(n, chunks: max(1, (n + 65535) / 65536))
            // visit(i-range, emit(row, column)) over the sparse ones in row-major order.
            func visit(_ r: Range<Int>, _ emit: (Int, Int32) -> Void) {
                for i in r {
                    for fi in sparseFeatures {
                        let first = firstColumn[fi]
                        switch inputs[fi] {
                        case .numeric(let v):
                            if v[i] == 1 { emit(i, Int32(first)) }
                        case .categorical(let codes, let map, _):
                            let level = map[Int(codes[i])]
                            if level > 0, slot[first + level - 1] < 0 { emit(i, Int32(first + level - 1)) }
                        }
                    }
                }
            }
            start = [Int](repeating: 0, count: n + 1)
            start.withUnsafeMutableBufferPointer { st in
                Parallel.forEach(ranges.count) { c in visit(ranges[c]) { i, _ in st[i + 1] += 1 } }
                for i in 0..<n { st[i + 1] += st[i] }
            }
            cols = [Int32](unsafeUninitializedCapacity: nnz) { out, initialized in
                start.withUnsafeBufferPointer { st in
                    Parallel.forEach(ranges.count) { c in
                        var k = st[ranges[c].lowerBound]
                        visit(ranges[c]) { _, j in out[k] = j; k += 1 }
                    }
                }
                initialized = nnz
            }
        }
        self.nrow = n; self.ncol = ncol; self.names = names; self.source = source; self.values = values
        self.slot = slot; self.sparseStart = start; self.sparseColumns = cols
        self.ones = ones.map { max($0, 0) }
        self.center = [Double](repeating: 0, count: ncol); self.scale = [Double](repeating: 1, count: ncol)
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

    /// The dense columns (slot order) as one buffer (valid inside `body`).
    @inline(__always)
    public func withColumns<R>(_ body: (UnsafePointer<Double>) throws -> R) rethrows -> R {
        // Without dense columns the pointer is never read (no slot points into it).
        try values.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Double>.alignment)!) }
    }

    /// Rows `r` of every design column as stored — dense columns as they are,
    /// sparse ones as (x − center)/scale — column-major into `out`
    /// (`r.count × ncol`). For the few users that need every column
    /// materialised (the Newton Hessian, contributions), chunk by chunk.
    func copyRows(_ r: Range<Int>, into out: UnsafeMutablePointer<Double>) {
        let len = r.count, n = nrow
        values.withUnsafeBufferPointer { v in
            for j in 0..<ncol {
                let dst = out + j * len
                if slot[j] >= 0 {
                    dst.update(from: v.baseAddress! + slot[j] * n + r.lowerBound, count: len)
                } else {
                    dst.update(repeating: -center[j] / scale[j], count: len)
                }
            }
        }
        guard !sparseColumns.isEmpty else { return }
        for i in r {
            for k in sparseStart[i]..<sparseStart[i + 1] {
                let j = Int(sparseColumns[k])
                out[j * len + (i - r.lowerBound)] = (1 - center[j]) / scale[j]
            }
        }
    }

    /// Per-column mean and population standard deviation (scale 1 for constant
    /// columns, so they pass through unchanged), as scikit-learn's StandardScaler.
    /// Columns run in parallel; each column's sums are sequential in a fixed
    /// order, so the result does not depend on the thread count. Sparse 0/1
    /// columns: mean = ones/n, std = √(mean·(1 − mean)).
    public func columnMoments() -> (mean: [Double], scale: [Double]) {
        var mean = [Double](repeating: 0, count: ncol), scale = [Double](repeating: 1, count: ncol)
        guard nrow > 0 else { return (mean, scale) }
        let n = nrow
        withColumns { v in
            mean.withUnsafeMutableBufferPointer { mb in
                scale.withUnsafeMutableBufferPointer { sb in
                    Parallel.forEach(ncol) { j in
                        let m: Double, sd: Double
                        if slot[j] >= 0 {
                            let c = v + slot[j] * n
                            m = VectorKernels.sum(c, n) / Double(n)
                            sd = (VectorKernels.sumSquaredDeviations(c, n, from: m) / Double(n)).squareRoot()
                        } else {
                            m = Double(ones[j]) / Double(n)
                            sd = (m * (1 - m)).squareRoot()
                        }
                        mb[j] = m; sb[j] = sd > 0 ? sd : 1
                    }
                }
            }
        }
        return (mean, scale)
    }

    /// Replaces every column by (x - center) / scale: dense columns in place,
    /// sparse ones implicitly (recorded in `center` / `scale`).
    public mutating func standardize(mean center: [Double], scale: [Double]) {
        let n = nrow
        let slot = self.slot
        values.withUnsafeMutableBufferPointer { v in
            let base = v.baseAddress
            Parallel.forEach(ncol) { j in
                guard slot[j] >= 0, let base else { return }
                let c = base + slot[j] * n
                let m = center[j], inv = 1 / scale[j]
                for i in 0..<n { c[i] = (c[i] - m) * inv }
            }
        }
        self.center = center; self.scale = scale
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
