/// Scores split by class and sorted ascending by `ScoreSort` keys, with the
/// weights carried along. Everything rank-based (AUC, curves, KS, thresholds,
/// top-k) is a linear sweep over these two arrays, so the only O(n log n) —
/// in practice O(n) radix — step is done once. The two classes are sorted
/// concurrently.
struct SortedClasses {
    var posKeys: [UInt64]
    var negKeys: [UInt64]
    /// nil = every weight is 1.
    var posW: [Double]?
    var negW: [Double]?
    let posTotal: Double
    let negTotal: Double

    /// Assumes `BinaryInput.check` passed.
    init(_ y: [Double], _ p: [Double], weights: [Double]?) {
        var np = 0
        y.withUnsafeBufferPointer { yb in for v in yb where v == 1 { np += 1 } }
        var pk = [UInt64](repeating: 0, count: np), nk = [UInt64](repeating: 0, count: y.count - np)
        var pw: [Double]? = weights == nil ? nil : [Double](repeating: 0, count: np)
        var nw: [Double]? = weights == nil ? nil : [Double](repeating: 0, count: y.count - np)
        y.withUnsafeBufferPointer { yb in p.withUnsafeBufferPointer { pb in
            pk.withUnsafeMutableBufferPointer { pkb in nk.withUnsafeMutableBufferPointer { nkb in
                var a = 0, b = 0
                for i in 0..<yb.count {
                    let k = ScoreSort.key(pb[i])
                    if yb[i] == 1 { pkb[a] = k; a += 1 } else { nkb[b] = k; b += 1 }
                }
            } }
        } }
        if let w = weights {
            var a = 0, b = 0
            for i in 0..<y.count { if y[i] == 1 { pw![a] = w[i]; a += 1 } else { nw![b] = w[i]; b += 1 } }
        }
        // Sort both classes at once (two independent tasks; result is the same on any thread count).
        var pkS = pk, nkS = nk, pwS = pw, nwS = nw
        pk = []; nk = []
        Parallel.forEach(2) { t in
            if t == 0 { ScoreSort.sort(&pkS, payload: &pwS) } else { ScoreSort.sort(&nkS, payload: &nwS) }
        }
        posKeys = pkS; negKeys = nkS; posW = pwS; negW = nwS
        posTotal = pwS.map { SortedClasses.sum($0) } ?? Double(pkS.count)
        negTotal = nwS.map { SortedClasses.sum($0) } ?? Double(nkS.count)
    }

    static func sum(_ a: [Double]) -> Double {
        a.withUnsafeBufferPointer { b in var s = 0.0; for x in b { s += x }; return s }
    }

    /// Area under the ROC curve: P(score_pos > score_neg) + ½ P(tie), weighted.
    /// Ties count one half, which equals the trapezoid rule on the ROC curve.
    func auc() -> Double {
        var negBelow = 0.0, acc = 0.0
        posKeys.withUnsafeBufferPointer { pk in negKeys.withUnsafeBufferPointer { nk in
            var j = 0
            var i = 0
            if posW == nil && negW == nil {
                // Integer counts: exact up to 2^53 pairs.
                var below = 0, sum2 = 0  // sum2 = 2 × (pairs won) + ties
                while i < pk.count {
                    let k = pk[i]
                    var gi = i + 1
                    while gi < pk.count && pk[gi] == k { gi += 1 }
                    while j < nk.count && nk[j] < k { j += 1; below += 1 }
                    var tie = 0
                    while j + tie < nk.count && nk[j + tie] == k { tie += 1 }
                    sum2 += (gi - i) * (2 * below + tie)
                    i = gi
                }
                acc = Double(sum2) / 2
                negBelow = 0
            } else {
                let pw = posW, nw = negW
                @inline(__always) func wp(_ t: Int) -> Double { pw?[t] ?? 1 }
                @inline(__always) func wn(_ t: Int) -> Double { nw?[t] ?? 1 }
                while i < pk.count {
                    let k = pk[i]
                    var wsum = 0.0
                    while i < pk.count && pk[i] == k { wsum += wp(i); i += 1 }
                    while j < nk.count && nk[j] < k { negBelow += wn(j); j += 1 }
                    var tie = 0.0, t = j
                    while t < nk.count && nk[t] == k { tie += wn(t); t += 1 }
                    acc += wsum * (negBelow + 0.5 * tie)
                }
            }
        } }
        return acc / (posTotal * negTotal)
    }

    /// Cumulative weighted true / false positives at each distinct score, from
    /// the highest score down (sklearn's `_binary_clf_curve`).
    func curve() -> BinaryCurve {
        var th: [Double] = [], tps: [Double] = [], fps: [Double] = []
        let cap = posKeys.count + negKeys.count
        th.reserveCapacity(cap); tps.reserveCapacity(cap); fps.reserveCapacity(cap)
        var i = posKeys.count - 1, j = negKeys.count - 1
        var tp = 0.0, fp = 0.0
        while i >= 0 || j >= 0 {
            let k = i < 0 ? negKeys[j] : (j < 0 ? posKeys[i] : max(posKeys[i], negKeys[j]))
            while i >= 0 && posKeys[i] == k { tp += posW?[i] ?? 1; i -= 1 }
            while j >= 0 && negKeys[j] == k { fp += negW?[j] ?? 1; j -= 1 }
            th.append(ScoreSort.value(k)); tps.append(tp); fps.append(fp)
        }
        return BinaryCurve(thresholds: th, tps: tps, fps: fps)
    }
}

/// Confusion counts at every distinct threshold ("predict positive when
/// score >= threshold"), thresholds descending. `tps.last` / `fps.last` are
/// the weighted class totals.
public struct BinaryCurve: Sendable {
    public let thresholds: [Double]
    public let tps: [Double]
    public let fps: [Double]
    public var positives: Double { tps.last ?? 0 }
    public var negatives: Double { fps.last ?? 0 }
}
