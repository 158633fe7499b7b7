/// Checks shared by every binary metric: labels are 0/1, scores finite,
/// weights finite and non-negative, all of one length.
enum BinaryInput {
    static func check(_ y: [Double], _ p: [Double]? = nil, weights: [Double]?, scoreName: String = "scores") throws {
        if let p, p.count != y.count { throw MetricsError.lengthMismatch(what: scoreName, expected: y.count, got: p.count) }
        if let w = weights, w.count != y.count { throw MetricsError.lengthMismatch(what: "weights", expected: y.count, got: w.count) }
        try y.withUnsafeBufferPointer { yb in
            for i in 0..<yb.count where yb[i] != 0 && yb[i] != 1 { throw MetricsError.notBinary(row: i, value: yb[i]) }
        }
        if let p {
            try p.withUnsafeBufferPointer { pb in
                for i in 0..<pb.count where !pb[i].isFinite { throw MetricsError.nonFinite(what: scoreName, row: i) }
            }
        }
        if let w = weights {
            try w.withUnsafeBufferPointer { wb in
                for i in 0..<wb.count where !(wb[i] >= 0 && wb[i].isFinite) { throw MetricsError.badWeight(row: i, value: wb[i]) }
            }
        }
    }

    /// Weights rescaled by a power of two when they are so large or small that sums or
    /// products leave Double's range (1e308 weights summed to inf, and inf/inf made KS 0 and
    /// AUC NaN; AUC multiplies positive by negative weights, so 1e200 already overflowed and
    /// 1e-200 underflowed). For metrics invariant to a common weight scale (AUC, KS, curves,
    /// average precision, gains, log loss, Brier): a power of two is exact, so the result is
    /// what exact arithmetic on the original weights gives. The largest weight becomes 1.
    static func scaleFree(_ weights: [Double]?) -> [Double]? {
        guard let w = weights, let big = w.max(), big > 0 else { return weights }
        let e = Int(big.exponent)
        guard abs(e) > 200 || !total(w).isFinite else { return weights }
        let factor = Double(sign: .plus, exponent: -e, significand: 1)
        return w.map { $0 * factor }
    }

    /// For metrics that report weighted counts or costs (confusion, classification, the
    /// threshold curve, threshold selection, top-k and lift tables, profit, calibration
    /// counts, the report): a total past Double's range is an error — rescaling would
    /// silently change the counts' unit.
    static func requireFiniteTotal(_ weights: [Double]?, _ metric: String) throws {
        guard let w = weights, !total(w).isFinite else { return }
        throw MetricsError.invalidOption("\(metric): the weights sum to more than \(Double.greatestFiniteMagnitude) (overflow); scale them down")
    }

    private static func total(_ w: [Double]) -> Double { w.reduce(0, +) }

    /// Weighted count of positives and negatives.
    static func classTotals(_ y: [Double], weights: [Double]?) -> (pos: Double, neg: Double) {
        var pos = 0.0, neg = 0.0
        y.withUnsafeBufferPointer { yb in
            if let w = weights {
                w.withUnsafeBufferPointer { wb in
                    for i in 0..<yb.count { if yb[i] == 1 { pos += wb[i] } else { neg += wb[i] } }
                }
            } else {
                var c = 0
                for i in 0..<yb.count where yb[i] == 1 { c += 1 }
                pos = Double(c); neg = Double(yb.count - c)
            }
        }
        return (pos, neg)
    }

    /// Throws `.singleClass` unless both classes have positive weight.
    static func requireBothClasses(_ metric: String, pos: Double, neg: Double) throws {
        if pos + neg <= 0 { throw MetricsError.empty(metric: metric) }
        if pos <= 0 { throw MetricsError.singleClass(metric: metric, present: 0) }
        if neg <= 0 { throw MetricsError.singleClass(metric: metric, present: 1) }
    }
}
