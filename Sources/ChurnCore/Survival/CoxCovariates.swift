import ExecutionControl

/// The covariates of a Cox fit or prediction, read where they lie: a row-major
/// n × p matrix (the array API), or a frame's design columns — numeric ones as
/// they are, a text one as 0/1 indicators of the design's levels after the
/// reference.
///
/// Why not always a matrix: a fit on a million-row frame used to copy the frame
/// into a row-order matrix, then copy that again into risk-set order. The first
/// copy (160 MB of fresh pages at 1M × 20) was a third of the fit. A fit now
/// takes its column statistics from the columns and writes each row once,
/// centred and scaled, straight to its risk-set position (`scatter`).
///
/// Sums run over fixed 16,384-row chunks added in chunk order, and every row's
/// linear predictor adds its columns in column order, so results are the same
/// bits for either storage and any thread count.
struct CoxCovariates: Sendable {
    /// One input column of a frame's design, starting at design column `first`.
    enum Input: Sendable {
        case numeric(name: String, first: Int, values: [Double])
        /// `level[code]`: the row's level in the design (0 = the reference, no column);
        /// design columns `first ..< first + levels − 1`. Codes are validated when built.
        case levels(name: String, first: Int, codes: [Int32], level: [Int32], levels: Int)
    }
    enum Storage: Sendable {
        case rowMajor([Double])
        case inputs([Input])
    }
    let n: Int, p: Int
    /// Design column names (error messages).
    let names: [String]
    let storage: Storage

    static let chunk = 16384

    init(rowMajor X: [Double], names: [String]) throws {
        guard !names.isEmpty, X.count % names.count == 0 else { throw SurvivalError.invalid("cox: X must have n × \(names.count) values") }
        n = X.count / names.count; p = names.count; self.names = names; storage = .rowMajor(X)
    }

    init(inputs: [Input], n: Int, names: [String]) {
        self.n = n; p = names.count; self.names = names; storage = .inputs(inputs)
    }

    /// Σx per column (`mean` nil; a non-finite value is an error naming its column
    /// and row) or Σ(x − mean)² per column.
    func columnSums(centredOn mean: [Double]?) throws -> [Double] {
        let n = self.n, p = self.p, chunk = Self.chunk, chunks = (n + chunk - 1) / chunk
        let parts = try Parallel.mapChunksThrowing(chunks, chunks: chunks) { cs -> (sum: [Double], bad: Int?) in
            var sum = [Double](repeating: 0, count: p)
            for c in cs {
                let rows = (c * chunk)..<min(n, (c + 1) * chunk)
                if let bad = try addChunk(rows, into: &sum, mean: mean) { return (sum, bad) }
            }
            return (sum, nil)
        }
        if let i = parts.compactMap(\.bad).first {
            let r = i / p, j = i % p
            throw SurvivalError.invalid("cox: feature '\(names[j])' row \(r + 1) is \(value(r, j).isNaN ? "null" : "not finite")")
        }
        var total = [Double](repeating: 0, count: p)
        for part in parts { for j in 0..<p { total[j] += part.sum[j] } }
        return total
    }

    /// One chunk's sums, rows in order; the first non-finite cell (r · p + j) when summing raw values.
    private func addChunk(_ rows: Range<Int>, into sum: inout [Double], mean: [Double]?) throws -> Int? {
        switch storage {
        case .rowMajor(let X):
            return X.withUnsafeBufferPointer { X in
                for r in rows {
                    let x = X.baseAddress! + r * p
                    if let mean {
                        for j in 0..<p { let v = x[j] - mean[j]; sum[j] += v * v }
                    } else {
                        var finite = true
                        for j in 0..<p { finite = finite && x[j].isFinite; sum[j] += x[j] }
                        if !finite { return r * p + (0..<p).first { !x[$0].isFinite }! }
                    }
                }
                return nil
            }
        case .inputs(let inputs):
            // Numeric columns four at a time: four running sums in flight hide the add's
            // latency, and each column is still summed row by row (a row-major pass's bits).
            // Raw sums are checked once per chunk: a NaN or infinity makes the sum non-finite,
            // and only then are the values scanned for it.
            let numeric = inputs.compactMap { i -> (j: Int, v: [Double])? in
                if case .numeric(_, let j, let v) = i { return (j, v) } else { return nil }
            }
            var g = 0
            while g < numeric.count {
                let k = min(4, numeric.count - g)
                let c = (0..<4).map { numeric[g + min($0, k - 1)] }   // short groups repeat their last column
                let m = (0..<4).map { mean?[c[$0].j] ?? 0 }
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                c[0].v.withUnsafeBufferPointer { v0 in c[1].v.withUnsafeBufferPointer { v1 in
                c[2].v.withUnsafeBufferPointer { v2 in c[3].v.withUnsafeBufferPointer { v3 in
                    if mean != nil {
                        for r in rows {
                            let d0 = v0[r] - m[0], d1 = v1[r] - m[1], d2 = v2[r] - m[2], d3 = v3[r] - m[3]
                            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
                        }
                    } else {
                        for r in rows { s0 += v0[r]; s1 += v1[r]; s2 += v2[r]; s3 += v3[r] }
                    }
                } } } }
                let group = [s0, s1, s2, s3]
                for q in 0..<k {
                    if mean == nil && !group[q].isFinite {
                        if let r = rows.first(where: { !c[q].v[$0].isFinite }) { return r * p + c[q].j }
                        throw SurvivalError.invalid("cox: feature '\(names[c[q].j])' overflows: its sum is not finite")
                    }
                    sum[c[q].j] += group[q]
                }
                g += k
            }
            for case .levels(_, let first, let codes, let level, let levels) in inputs {
                var s = [Double](repeating: 0, count: levels - 1)
                for r in rows {
                    let l = Int(level[Int(codes[r])])
                    for k in 1..<levels {
                        let x: Double = l == k ? 1 : 0
                        if let mean { let d = x - mean[first + k - 1]; s[k - 1] += d * d } else { s[k - 1] += x }
                    }
                }
                for k in 1..<levels { sum[first + k - 1] += s[k - 1] }
            }
            return nil
        }
    }

    /// Value of row r, design column j (error messages; not a hot path).
    private func value(_ r: Int, _ j: Int) -> Double {
        switch storage {
        case .rowMajor(let X): return X[r * p + j]
        case .inputs(let inputs):
            for case .numeric(_, let first, let v) in inputs where first == j { return v[r] }
            return 0
        }
    }

    /// Writes row r, centred (and multiplied by `inverseScale`), to row `position[r]` of
    /// `out` (n × p row-major). Rows are read in order, a row's columns side by side.
    func scatter(into out: UnsafeMutablePointer<Double>, positions: [Int32], mean: [Double], inverseScale: [Double]?) throws {
        let n = self.n, p = self.p, block = 2048, blocks = (n + block - 1) / block
        try positions.withUnsafeBufferPointer { pos in
            try Parallel.forEachThrowing(blocks) { b in
                let rows = (b * block)..<min(n, (b + 1) * block)
                switch storage {
                case .rowMajor(let X):
                    X.withUnsafeBufferPointer { X in
                        for r in rows {
                            let x = X.baseAddress! + r * p, y = out + Int(pos[r]) * p
                            if let s = inverseScale { for a in 0..<p { y[a] = (x[a] - mean[a]) * s[a] } } else { for a in 0..<p { y[a] = x[a] - mean[a] } }
                        }
                    }
                case .inputs(let inputs):
                    // A row at a time, each destination row written whole. The destinations
                    // are spread over the risk-set buckets, so writing them a column at a
                    // time (as this did) came back to every destination line p times:
                    // standalone at 1M × 20, 0.29 s a row at a time against 0.50 s.
                    let numeric = inputs.compactMap { i -> (first: Int, values: [Double])? in
                        if case .numeric(_, let j, let v) = i { return (j, v) } else { return nil }
                    }
                    let indicators = inputs.compactMap { i -> (first: Int, codes: [Int32], level: [Int32], levels: Int)? in
                        if case .levels(_, let f, let c, let l, let k) = i { return (f, c, l, k) } else { return nil }
                    }
                    // Per design column: its multiplier (1 without scaling).
                    let scale = inverseScale ?? [Double](repeating: 1, count: p)
                    let columns = numeric.map(\.first)
                    Self.withBaseAddresses(numeric.map(\.values)[...]) { values in
                    values.withUnsafeBufferPointer { values in
                    columns.withUnsafeBufferPointer { columns in
                    mean.withUnsafeBufferPointer { mean in
                    scale.withUnsafeBufferPointer { scale in
                        let scaled = inverseScale != nil
                        for r in rows {
                            let y = out + Int(pos[r]) * p
                            for k in 0..<columns.count {
                                let j = columns[k], d = values[k][r] - mean[j]
                                y[j] = scaled ? d * scale[j] : d
                            }
                            for input in indicators {
                                let l = Int(input.level[Int(input.codes[r])])
                                for k in 1..<input.levels {
                                    let x: Double = l == k ? 1 : 0, j = input.first + k - 1
                                    y[j] = scaled ? (x - mean[j]) * scale[j] : x - mean[j]
                                }
                            }
                        }
                    } } } } }
                }
            }
        }
    }

    /// Calls `body` with the base addresses of `arrays` (none empty), all pinned for the call.
    private static func withBaseAddresses<R>(_ arrays: ArraySlice<[Double]>, _ pinned: [UnsafePointer<Double>] = [],
                                             _ body: ([UnsafePointer<Double>]) throws -> R) rethrows -> R {
        guard let first = arrays.first else { return try body(pinned) }
        return try first.withUnsafeBufferPointer { buffer in
            try withBaseAddresses(arrays.dropFirst(), pinned + [buffer.baseAddress!], body)
        }
    }

    /// (x − mean)·β per row, in row order.
    func linearPredictor(mean: [Double], beta: [Double]) throws -> [Double] {
        let n = self.n, p = self.p, block = 2048, blocks = (n + block - 1) / block
        try ExecutionContext.checkMemory(n * 8, for: "cox linear predictor")
        var eta = [Double](repeating: 0, count: n)
        try eta.withUnsafeMutableBufferPointer { e in
            let eb = e.baseAddress!
            try Parallel.forEachThrowing(blocks) { b in
                let rows = (b * block)..<min(n, (b + 1) * block)
                switch storage {
                case .rowMajor(let X):
                    for r in rows {
                        var s = 0.0
                        for j in 0..<p { s += (X[r * p + j] - mean[j]) * beta[j] }
                        eb[r] = s
                    }
                case .inputs(let inputs):
                    // Column by column over the block: each row still adds its columns in order.
                    for input in inputs {
                        switch input {
                        case .numeric(_, let j, let v):
                            let m = mean[j], bj = beta[j]
                            for r in rows { eb[r] += (v[r] - m) * bj }
                        case .levels(_, let first, let codes, let level, let levels):
                            for r in rows {
                                let l = Int(level[Int(codes[r])])
                                var s = eb[r]
                                for k in 1..<levels { let x: Double = l == k ? 1 : 0; s += (x - mean[first + k - 1]) * beta[first + k - 1] }
                                eb[r] = s
                            }
                        }
                    }
                }
            }
        }
        return eta
    }

    /// Row r centred on `mean`, into y[0..<p].
    func centredRow(_ r: Int, into y: UnsafeMutablePointer<Double>, mean: [Double]) {
        switch storage {
        case .rowMajor(let X): for a in 0..<p { y[a] = X[r * p + a] - mean[a] }
        case .inputs(let inputs):
            for input in inputs {
                switch input {
                case .numeric(_, let j, let v): y[j] = v[r] - mean[j]
                case .levels(_, let first, let codes, let level, let levels):
                    let l = Int(level[Int(codes[r])])
                    for k in 1..<levels { y[first + k - 1] = (l == k ? 1 : 0) - mean[first + k - 1] }
                }
            }
        }
    }

    /// The row-major n × p matrix (the layout predictions and the PH test read);
    /// a non-finite numeric value is an error naming its column and row.
    func rowMajor() throws -> [Double] {
        switch storage {
        case .rowMajor(let X): return X
        case .inputs(let inputs):
            let n = self.n, p = self.p
            try ExecutionContext.checkMemory(n * p * 8, for: "cox design matrix")
            var out = [Double](repeating: 0, count: n * p)
            let block = 2048, blocks = (n + block - 1) / block
            try out.withUnsafeMutableBufferPointer { o in
                let ob = o.baseAddress!
                try Parallel.forEachThrowing(blocks) { b in
                    let rows = (b * block)..<min(n, (b + 1) * block)
                    for input in inputs {
                        switch input {
                        case .numeric(let name, let j, let v):
                            for i in rows {
                                guard v[i].isFinite else { throw SurvivalError.invalid("cox: feature '\(name)' row \(i + 1) is \(v[i].isNaN ? "null" : "not finite")") }
                                ob[i * p + j] = v[i]
                            }
                        case .levels(_, let first, let codes, let level, _):
                            for i in rows { let l = Int(level[Int(codes[i])]); if l > 0 { ob[i * p + first + l - 1] = 1 } }
                        }
                    }
                }
            }
            return out
        }
    }
}
