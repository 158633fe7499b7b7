import ExecutionControl
import Foundation

/// Persona profiles: one row per group of users (typically k-means labels)
/// with size, share, churn rate, revenue and the features that set the group
/// apart, measured as standardised differences
/// z = (mean in the persona − overall mean) / overall standard deviation
/// (population sd, nulls skipped; 0 for a constant feature). The generated
/// name reads the two largest |z| (at least 0.25) as "high …"/"low …", and
/// adds "at risk" (churn ≥ 1.5 × overall) or "loyal" (≤ 0.5 × overall).
public struct PersonaProfiles: Sendable {
    /// Group labels, in ascending order (numeric when all labels are numbers).
    public let labels: [String]
    public let features: [String]
    public let size: [Int]
    public let share: [Double]
    /// Mean of the churn column per persona (NaN without one); `overallChurn` over all rows.
    public let churnRate: [Double]
    public let overallChurn: Double
    /// Mean and total revenue per persona (NaN without a revenue column).
    public let revenue: [Double], revenueTotal: [Double]
    /// z[p][j]: standardised difference of feature j in persona p.
    public let z: [[Double]]
    /// Per persona, the `top` features by |z|, largest first.
    public let distinguishing: [[(feature: String, z: Double)]]
    public let names: [String]

    public init(labels rowLabels: [String], features: [(name: String, values: [Double])],
                churn: [Double]? = nil, revenue: [Double]? = nil, top: Int = 3) throws {
        let n = rowLabels.count
        guard n > 0 else { throw ClusterError.invalid("personas: no rows") }
        guard top >= 1 else { throw ClusterError.invalid("personas: top must be at least 1") }
        for f in features where f.values.count != n {
            throw ClusterError.invalid("personas: feature '\(f.name)' has \(f.values.count) values for \(n) labels")
        }
        if let c = churn {
            guard c.count == n else { throw ClusterError.invalid("personas: churn has \(c.count) values for \(n) labels") }
            if let bad = c.firstIndex(where: { !$0.isNaN && $0 != 0 && $0 != 1 }) {
                throw ClusterError.invalid("personas: churn must be 0/1 (or null), got \(c[bad]) in row \(bad + 1)")
            }
        }
        if let r = revenue, r.count != n { throw ClusterError.invalid("personas: revenue has \(r.count) values for \(n) labels") }
        // Groups: numeric labels sort numerically, others by text.
        let distinct = Array(Set(rowLabels))
        let numeric = distinct.allSatisfy { Double($0) != nil }
        let groups = distinct.sorted { numeric ? Double($0)! < Double($1)! : $0 < $1 }
        var gi: [String: Int] = [:]
        for (i, g) in groups.enumerated() { gi[g] = i }
        let row = rowLabels.map { gi[$0]! }
        let k = groups.count
        func groupMeans(_ v: [Double]) -> (means: [Double], sums: [Double]) {
            var s = [Double](repeating: 0, count: k), c = [Double](repeating: 0, count: k)
            for r in 0..<n where !v[r].isNaN { s[row[r]] += v[r]; c[row[r]] += 1 }
            return ((0..<k).map { c[$0] > 0 ? s[$0] / c[$0] : .nan }, s)
        }
        var size = [Int](repeating: 0, count: k)
        for g in row { size[g] += 1 }
        var z = [[Double]](repeating: [], count: k)
        for f in features {
            try ExecutionContext.check()
            let ok = f.values.filter { !$0.isNaN }
            let mean = ok.isEmpty ? 0 : ok.reduce(0, +) / Double(ok.count)
            let sd = ok.isEmpty ? 0 : (ok.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(ok.count)).squareRoot()
            let gm = groupMeans(f.values).means
            for g in 0..<k { z[g].append(sd > 0 && !gm[g].isNaN ? (gm[g] - mean) / sd : 0) }
        }
        labels = groups; self.features = features.map(\.name); self.size = size
        share = size.map { Double($0) / Double(n) }
        if let c = churn {
            churnRate = groupMeans(c).means
            let ok = c.filter { !$0.isNaN }
            overallChurn = ok.isEmpty ? .nan : ok.reduce(0, +) / Double(ok.count)
        } else { churnRate = [Double](repeating: .nan, count: k); overallChurn = .nan }
        if let r = revenue { let m = groupMeans(r); self.revenue = m.means; revenueTotal = m.sums }
        else { self.revenue = [Double](repeating: .nan, count: k); revenueTotal = self.revenue }
        self.z = z
        let names = features.map(\.name)
        let dist: [[(feature: String, z: Double)]] = z.map { zs in
            zs.indices.sorted { abs(zs[$0]) != abs(zs[$1]) ? abs(zs[$0]) > abs(zs[$1]) : $0 < $1 }
                .prefix(top).map { (names[$0], zs[$0]) }
        }
        distinguishing = dist
        var used: [String: Int] = [:], generated: [String] = []
        for g in 0..<k {
            var base = Self.name(dist[g], churn: churnRate[g], overall: overallChurn)
            used[base, default: 0] += 1
            if used[base]! > 1 { base += " (\(used[base]!))" }
            generated.append(base)
        }
        self.names = generated
    }

    static func phrase(_ feature: String) -> String { feature.replacingOccurrences(of: "_", with: " ") }

    static func name(_ top: [(feature: String, z: Double)], churn: Double, overall: Double) -> String {
        let parts = top.prefix(2).filter { abs($0.z) >= 0.25 }.map { ($0.z > 0 ? "high " : "low ") + phrase($0.feature) }
        var s = parts.isEmpty ? "typical" : parts.joined(separator: ", ")
        if overall > 0 && !churn.isNaN {
            if churn >= 1.5 * overall { s += " · at risk" } else if churn <= 0.5 * overall { s += " · loyal" }
        }
        return s.prefix(1).uppercased() + s.dropFirst()
    }

    /// "events_30d +1.52, recency_days −0.87" for persona `g`.
    public func distinguishingText(_ g: Int) -> String {
        distinguishing[g].map { "\($0.feature) \($0.z >= 0 ? "+" : "−")\(String(format: "%.2f", abs($0.z)))" }.joined(separator: ", ")
    }
}
