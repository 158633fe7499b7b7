/// DeLong's comparison of two correlated ROC AUCs on the same rows.
public struct DeLongResult: Sendable {
    public let auc1: Double
    public let auc2: Double
    /// auc1 − auc2.
    public let difference: Double
    public let standardError: Double
    public let z: Double
    /// Two-sided p-value of H0: auc1 = auc2.
    public let pValue: Double
    /// Confidence interval of the difference at `level`.
    public let lower: Double
    public let upper: Double
    public let level: Double
}

/// One AUC with its DeLong standard error and confidence interval.
public struct AUCInterval: Sendable {
    public let auc: Double
    public let standardError: Double
    public let lower: Double
    public let upper: Double
    public let level: Double
}

extension Metrics {
    /// DeLong et al. (1988) structural components computed the fast way
    /// (Sun & Xu 2014): one sort per score vector, then each positive's
    /// V10 = (#negatives below + ½ #tied) / N and each negative's
    /// V01 = (#positives above + ½ #tied) / P. O(n log n); unweighted.
    static func structuralComponents(_ y: [Double], _ p: [Double], posIndex: [Int32], P: Int, N: Int) -> (v10: [Double], v01: [Double]) {
        let n = y.count
        var keys = p.map(ScoreSort.key)
        var idx: [Int32]? = (0..<Int32(n)).map { $0 }
        ScoreSort.sort(&keys, payload: &idx)
        let order = idx!
        var v10 = [Double](repeating: 0, count: P), v01 = [Double](repeating: 0, count: N)
        var g = 0, negBelow = 0, posBelow = 0
        while g < n {
            var e = g + 1
            while e < n && keys[e] == keys[g] { e += 1 }
            var a = 0, b = 0
            for t in g..<e { if y[Int(order[t])] == 1 { a += 1 } else { b += 1 } }
            let vPos = (Double(negBelow) + 0.5 * Double(b)) / Double(N)
            let vNeg = (Double(P - posBelow - a) + 0.5 * Double(a)) / Double(P)
            for t in g..<e {
                let r = Int(order[t])
                if y[r] == 1 { v10[Int(posIndex[r])] = vPos } else { v01[Int(posIndex[r])] = vNeg }
            }
            negBelow += b; posBelow += a
            g = e
        }
        return (v10, v01)
    }

    /// Position of each row within its class, and the class sizes.
    private static func classPositions(_ y: [Double]) -> (pos: [Int32], P: Int, N: Int) {
        var out = [Int32](repeating: 0, count: y.count)
        var a: Int32 = 0, b: Int32 = 0
        for i in 0..<y.count { if y[i] == 1 { out[i] = a; a += 1 } else { out[i] = b; b += 1 } }
        return (out, Int(a), Int(b))
    }

    private static func covariance(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        if x.count < 2 { return 0 }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var s = 0.0
        for i in 0..<x.count { s += (x[i] - mx) * (y[i] - my) }
        return s / (n - 1)
    }

    private static func checkLevel(_ level: Double) throws {
        guard level > 0 && level < 1 else { throw MetricsError.invalidOption("confidence level must be in (0, 1), got \(level)") }
    }

    /// DeLong test for two correlated AUCs of scores `p1`, `p2` on labels `y`.
    public static func delong(_ y: [Double], _ p1: [Double], _ p2: [Double], level: Double = 0.95) throws -> DeLongResult {
        try checkLevel(level)
        try BinaryInput.check(y, p1, weights: nil, scoreName: "first scores")
        try BinaryInput.check(y, p2, weights: nil, scoreName: "second scores")
        let (pos, P, N) = classPositions(y)
        try BinaryInput.requireBothClasses("DeLong's test", pos: Double(P), neg: Double(N))
        let (a10, a01) = structuralComponents(y, p1, posIndex: pos, P: P, N: N)
        let (b10, b01) = structuralComponents(y, p2, posIndex: pos, P: P, N: N)
        let auc1 = a10.reduce(0, +) / Double(P), auc2 = b10.reduce(0, +) / Double(P)
        let var10 = covariance(a10, a10) + covariance(b10, b10) - 2 * covariance(a10, b10)
        let var01 = covariance(a01, a01) + covariance(b01, b01) - 2 * covariance(a01, b01)
        let v = max(0, var10 / Double(P) + var01 / Double(N))
        let se = v.squareRoot()
        let diff = auc1 - auc2
        let z = se > 0 ? diff / se : (diff == 0 ? 0 : (diff > 0 ? .infinity : -.infinity))
        let pValue = se > 0 || diff != 0 ? min(1, 2 * Normal.sf(abs(z))) : 1
        let q = Normal.quantile(0.5 + level / 2)
        return DeLongResult(auc1: auc1, auc2: auc2, difference: diff, standardError: se, z: z, pValue: pValue,
                            lower: diff - q * se, upper: diff + q * se, level: level)
    }

    /// ROC AUC with DeLong's standard error and a normal confidence interval clipped to [0, 1].
    public static func aucInterval(_ y: [Double], _ p: [Double], level: Double = 0.95) throws -> AUCInterval {
        try checkLevel(level)
        try BinaryInput.check(y, p, weights: nil)
        let (pos, P, N) = classPositions(y)
        try BinaryInput.requireBothClasses("the AUC interval", pos: Double(P), neg: Double(N))
        let (v10, v01) = structuralComponents(y, p, posIndex: pos, P: P, N: N)
        let auc = v10.reduce(0, +) / Double(P)
        let se = (covariance(v10, v10) / Double(P) + covariance(v01, v01) / Double(N)).squareRoot()
        let q = Normal.quantile(0.5 + level / 2)
        return AUCInterval(auc: auc, standardError: se, lower: max(0, auc - q * se), upper: min(1, auc + q * se), level: level)
    }
}
