import Foundation

/// A linear map from data values to pixels, with "nice" ticks (1, 2, 2.5, 5 × 10ᵏ).
public struct LinearScale {
    public var domain: (Double, Double)
    public var range: (Double, Double)

    public init(domain: (Double, Double), range: (Double, Double)) {
        var d = domain
        if !(d.0.isFinite && d.1.isFinite) { d = (0, 1) }
        if d.0 == d.1 { d = (d.0 - 0.5, d.1 + 0.5) }
        self.domain = d; self.range = range
    }

    @inline(__always) public func callAsFunction(_ v: Double) -> Double {
        range.0 + (v - domain.0) / (domain.1 - domain.0) * (range.1 - range.0)
    }

    /// Tick step near (hi − lo) / target from {1, 2, 2.5, 5} × 10ᵏ.
    static func niceStep(_ span: Double, target: Int) -> Double {
        let raw = span / Double(max(1, target))
        let mag = pow(10, floor(log10(raw)))
        let f = raw / mag
        let m: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10
        return m * mag
    }

    /// k × step without binary noise: nice steps below 1 have whole reciprocals (0.2 → 5), so k / 5 is exact where k × 0.2 is not.
    static func multiple(_ k: Double, _ step: Double) -> Double {
        if step < 1 {
            let inv = (1 / step).rounded()
            if abs(inv * step - 1) < 1e-12 { return k / inv }
        }
        return k * step
    }

    /// Extends `domain` outwards to whole tick steps.
    public mutating func nice(target: Int = 6) {
        let step = Self.niceStep(domain.1 - domain.0, target: target)
        domain = (Self.multiple(floor(domain.0 / step + 1e-9), step), Self.multiple(ceil(domain.1 / step - 1e-9), step))
    }

    /// Tick values inside the domain.
    public func ticks(target: Int = 6) -> [Double] {
        let step = Self.niceStep(domain.1 - domain.0, target: target)
        let first = ceil(domain.0 / step - 1e-9)
        var out: [Double] = []
        var k = first
        while k * step <= domain.1 + step * 1e-9 && out.count < 100 {
            let v = Self.multiple(k, step)
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            k += 1
        }
        return out
    }

    /// Labels for ticks: the fewest decimals that tell them apart; 12k / 3.5M for large values.
    public static func labels(_ ticks: [Double]) -> [String] {
        guard ticks.count > 0 else { return [] }
        let maxAbs = ticks.map(abs).max()!
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : max(maxAbs, 1)
        if maxAbs >= 10_000 {
            let (div, suffix) = maxAbs >= 1e9 ? (1e9, "G") : maxAbs >= 1e6 ? (1e6, "M") : (1e3, "k")
            let d = decimals(step / div)
            return ticks.map { $0 == 0 ? "0" : format($0 / div, d) + suffix }
        }
        let d = decimals(step)
        return ticks.map { format($0, d) }
    }

    static func decimals(_ step: Double) -> Int {
        for d in 0...10 {
            let s = step * pow(10, Double(d))
            if abs(s - s.rounded()) < 1e-6 * max(1, s) { return d }
        }
        return 10
    }

    static func format(_ v: Double, _ d: Int) -> String {
        let s = String(format: "%.\(d)f", v)
        return s == "-0" || s.hasPrefix("-0.") && Double(s) == 0 ? String(s.dropFirst()) : s
    }
}
