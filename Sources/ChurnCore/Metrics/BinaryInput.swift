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
