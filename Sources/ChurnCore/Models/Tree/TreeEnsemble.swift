/// Batch evaluation of a list of trees: `base + scale · Σ_t leafValue_t(row)`.
/// Parallel over row chunks; each row sums its trees in order, so results do
/// not depend on the thread count. Large trees (forests) go through
/// `CodedTreeScorer` when it can represent them, else `DeepTreeScorer`;
/// boosting's small trees go through the model's cached `CodedTreeScorer`
/// when the caller passes one (see `GradientBoosting.predictRaw`; 1.2 × the
/// row blocks' speed on the benchmark booster, see `CodedTreeScorer`), else
/// `predictByRowBlocks` (multiclass boosters, trees beyond the coded limits).
enum TreeEnsemble {
    static func predict(_ trees: ArraySlice<Tree>, features: [FeatureValues], nrow: Int,
                        base: Double, scale: Double, compiled: CodedTreeScorer? = nil) throws -> [Double] {
        if let compiled, nrow > 0 {
            return try compiled.predict(columns: features, nrow: nrow, base: base, scale: scale)
        }
        let trees = Array(trees)
        if DeepTreeScorer.suits(trees, nrow: nrow) {
            if let coded = try CodedTreeScorer(trees, features: features) {
                return try coded.predict(columns: features, nrow: nrow, base: base, scale: scale)
            }
            return try DeepTreeScorer(trees).predict(columns: features, nrow: nrow, base: base, scale: scale)
        }
        return try predictByRowBlocks(trees, features: features, nrow: nrow, base: base, scale: scale)
    }

    /// The traversal for small trees (boosting): blocks of 256 rows through
    /// every tree, values read straight from the columns.
    static func predictByRowBlocks(_ trees: [Tree], features: [FeatureValues], nrow: Int,
                                   base: Double, scale: Double) throws -> [Double] {
        var out = [Double](repeating: base, count: nrow)
        guard nrow > 0, !trees.isEmpty else { return out }
        try withRawColumns(features) { cols in
            try out.withUnsafeMutableBufferPointer { o in
                let op = o.baseAddress!
                let chunks = Parallel.ranges(nrow, chunks: max(1, min(nrow / 2048, Parallel.threads * 8)))
                try Parallel.forEachThrowing(chunks.count) { c in
                    let range = chunks[c]
                    var acc = [Double](repeating: 0, count: 256)
                    var start = range.lowerBound
                    // Blocks of rows × all trees: a tree's nodes stay in cache for the block.
                    // A block of 256 rows through every tree is the unit of work between cancellation checks.
                    while start < range.upperBound {
                        try ExecutionContext.check()
                        let end = min(start + 256, range.upperBound)
                        for i in 0..<(end - start) { acc[i] = 0 }
                        acc.withUnsafeMutableBufferPointer { a in
                            for t in trees { t.addLeafValues(rows: start..<end, columns: cols, into: a.baseAddress!) }
                        }
                        for r in start..<end { op[r] = base + scale * acc[r - start] }
                        start = end
                    }
                }
            }
        }
        return out
    }
}

/// Gain and split-count importance of tree features.
public enum TreeImportanceKind: String, Codable, Sendable, CaseIterable {
    /// Total split gain (CART: weighted impurity decrease; GBDT: log-loss gain).
    case gain
    /// Number of splits on the feature.
    case split
}

extension TreeEnsemble {
    /// Sums over `trees` of each feature's gain or split count (not normalized).
    static func importance(_ trees: [Tree], featureCount: Int, kind: TreeImportanceKind) -> [Double] {
        var out = [Double](repeating: 0, count: featureCount)
        for t in trees {
            for (i, n) in t.nodes.enumerated() where !n.isLeaf {
                out[Int(n.feature)] += kind == .gain ? t.gain[i] : 1
            }
        }
        return out
    }

    /// `v / Σv` (all zeros stay zeros).
    static func normalized(_ v: [Double]) -> [Double] {
        let s = v.reduce(0, +)
        return s > 0 ? v.map { $0 / s } : v
    }
}

/// Small shared numerics.
enum TreeMath {
    @inline(__always) static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
    }

    /// log(1 + e^x) without overflow.
    @inline(__always) static func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }

    /// The objective's mean loss: log-loss of log-odds, squared error, or
    /// multiclass log-loss of class-major raw scores (`classes` blocks of `n`).
    static func loss(_ objective: GradientBoostingObjective, raw f: UnsafePointer<Double>, y: UnsafePointer<Double>,
                     w: UnsafePointer<Double>?, n: Int, classes: Int = 1) -> Double {
        switch objective {
        case .binary: return logLoss(raw: f, y: y, w: w, n: n)
        case .regression: return squaredError(raw: f, y: y, w: w, n: n)
        case .multiclass: return multiLogLoss(raw: f, y: y, w: w, n: n, classes: classes)
        }
    }

    /// Softmax of class-major raw scores into `p` (same layout), row by row, stable.
    static func softmax(_ f: UnsafeMutablePointer<Double>, into p: UnsafeMutablePointer<Double>, n: Int, classes K: Int,
                        chunks: [Range<Int>]) {
        Parallel.forEach(chunks.count) { c in
            for i in chunks[c] {
                var top = -Double.infinity
                for k in 0..<K { top = max(top, f[k * n + i]) }
                var sum = 0.0
                for k in 0..<K { let e = exp(f[k * n + i] - top); p[k * n + i] = e; sum += e }
                for k in 0..<K { p[k * n + i] /= sum }
            }
        }
    }

    /// Weighted mean of -log softmax(f)[y] (LightGBM's multi_logloss).
    static func multiLogLoss(raw f: UnsafePointer<Double>, y: UnsafePointer<Double>, w: UnsafePointer<Double>?,
                             n: Int, classes K: Int) -> Double {
        let parts = Parallel.mapChunks(n, chunks: 16) { r -> (Double, Double) in
            var s = 0.0, ws = 0.0
            for i in r {
                let wi = w?[i] ?? 1
                var top = -Double.infinity
                for k in 0..<K { top = max(top, f[k * n + i]) }
                var sum = 0.0
                for k in 0..<K { sum += exp(f[k * n + i] - top) }
                let yk = min(max(Int(y[i]), 0), K - 1)
                s += wi * (top + log(sum) - f[yk * n + i]); ws += wi
            }
            return (s, ws)
        }
        let (s, ws) = parts.reduce((0.0, 0.0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        return ws > 0 ? s / ws : 0
    }

    /// Weighted mean squared error of predictions `f`.
    static func squaredError(raw f: UnsafePointer<Double>, y: UnsafePointer<Double>, w: UnsafePointer<Double>?, n: Int) -> Double {
        let parts = Parallel.mapChunks(n, chunks: 16) { r -> (Double, Double) in
            var s = 0.0, ws = 0.0
            for i in r { let wi = w?[i] ?? 1, d = f[i] - y[i]; s += wi * d * d; ws += wi }
            return (s, ws)
        }
        let (s, ws) = parts.reduce((0.0, 0.0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        return ws > 0 ? s / ws : 0
    }

    /// Weighted mean log-loss of raw scores `f` (log-odds).
    static func logLoss(raw f: UnsafePointer<Double>, y: UnsafePointer<Double>, w: UnsafePointer<Double>?, n: Int) -> Double {
        let parts = Parallel.mapChunks(n, chunks: 16) { r -> (Double, Double) in
            var s = 0.0, ws = 0.0
            for i in r {
                let wi = w?[i] ?? 1
                s += wi * (softplus(f[i]) - y[i] * f[i]); ws += wi
            }
            return (s, ws)
        }
        let (s, ws) = parts.reduce((0.0, 0.0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        return ws > 0 ? s / ws : 0
    }

    /// Area under the ROC curve by ranks (ties get the average rank); NaN
    /// when one class is absent.
    static func auc(_ score: [Double], _ y: [Double]) -> Double {
        let idx = score.indices.sorted { score[$0] < score[$1] }
        var rankSumPos = 0.0, npos = 0.0
        var i = 0
        while i < idx.count {
            var j = i
            while j + 1 < idx.count && score[idx[j + 1]] == score[idx[i]] { j += 1 }
            let avgRank = Double(i + j) / 2 + 1
            for k in i...j where y[idx[k]] == 1 { rankSumPos += avgRank; npos += 1 }
            i = j + 1
        }
        let nneg = Double(score.count) - npos
        guard npos > 0, nneg > 0 else { return .nan }
        return (rankSumPos - npos * (npos + 1) / 2) / (npos * nneg)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
