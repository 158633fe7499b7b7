@testable import ChurnCore

/// Inputs shared with References/metrics_reference.py (20 rows, ties, weights).
enum MF {
    static let y: [Double] = [1,0,1,1,0,0,1,0,0,1,0,1,0,0,1,0,0,0,1,0]
    static let p: [Double] = [0.9,0.8,0.8,0.7,0.7,0.6,0.6,0.6,0.5,0.5,0.4,0.4,0.3,0.3,0.3,0.2,0.2,0.1,0.1,0.0]
    static let w: [Double] = [1,2,0.5,1,1,3,1,1,2,1,1,1,0.5,1,2,1,1,1,1,1]

    /// The formula-generated 600-row set of References/metrics_delong.py.
    static func generated() -> (y: [Double], s1: [Double], s2: [Double], w: [Double]) {
        var y = [Double](), s1 = [Double](), s2 = [Double](), w = [Double]()
        for i in 0..<600 {
            let yi: Double = ((i * 37 + 11) % 100) < 30 + (i % 7) * 5 ? 1 : 0
            y.append(yi)
            s1.append(((Double((i * 7919) % 1000) / 1000 * 0.5 + yi * 0.25) * 100).rounded(.toNearestOrEven) / 100)
            s2.append(((Double((i * 104729) % 997) / 997 * 0.6 + yi * 0.2 + Double(i % 3) * 0.01) * 1000).rounded(.toNearestOrEven) / 1000)
            w.append(1 + Double(i % 4) * 0.5)
        }
        return (y, s1, s2, w)
    }
}
