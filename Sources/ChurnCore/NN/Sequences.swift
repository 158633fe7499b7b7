import ExecutionControl
import Foundation

/// Daily activity sequences from an event log, point in time: for each user
/// with an event before `asOf`, a (days × channels) block of per-day values
/// over the `days` whole days before `asOf` (day 1 is the oldest, day `days`
/// the day before asOf). Only events strictly before `asOf` are read, so
/// events at or after it never change the result (the same leakage rule as
/// the feature builder). Channels are event counts per type (all types, or
/// those named) and, with `amount`, the daily sum of amounts.
public struct SequenceSpec: Sendable {
    public enum Normalize: String, Sendable { case none, log1p, standard }
    public var asOf: Int64
    public var days = 90
    /// Event types to count (nil: every type in the log, in the log's order).
    public var types: [String]? = nil
    public var amount = false
    public var normalize = Normalize.log1p
    public init(asOf: Int64) { self.asOf = asOf }
}

public enum Sequences {
    public struct Result {
        public var tensor: Tensor<Float>
        /// Row r of the tensor is user `userRows[r]` of the log.
        public var userRows: [Int32]
        public var channels: [String]
    }

    static let microsPerDay: Int64 = 86_400_000_000

    public static func build(_ log: EventLog, _ s: SequenceSpec) throws -> Result {
        guard (1...36500).contains(s.days) else { throw NNError("days must be in 1...36500, got \(s.days)") }
        let typeNames = s.types ?? log.typeNames
        var typeChannel = [Int](repeating: -1, count: log.typeNames.count)
        for (ch, name) in typeNames.enumerated() {
            guard let i = log.typeNames.firstIndex(of: name) else {
                throw NNError("channels: no event type '\(name)' in the log (types: \(log.typeNames.prefix(10).joined(separator: ", ")))")
            }
            typeChannel[i] = ch
        }
        if s.amount && log.amounts == nil { throw NNError("amount = true needs an event log with an amount column") }
        let channels = typeNames + (s.amount ? ["amount"] : [])
        let c = channels.count
        guard c > 0 else { throw NNError("no channels: the log has no event types") }
        // Users seen before as_of.
        var rows: [Int32] = []
        for u in 0..<log.userCount where log.offsets[u] < log.offsets[u + 1] && log.times[log.offsets[u]] < s.asOf {
            rows.append(Int32(u))
        }
        let size = rows.count * s.days * c
        try ExecutionContext.checkMemory(size * 4, for: "sequences")
        var data = [Float](repeating: 0, count: size)
        let start = s.asOf - Int64(s.days) * microsPerDay
        let days = s.days
        try data.withMutPtr { out in
            let chunks = Parallel.ranges(rows.count, chunks: Parallel.threads * 4)
            try Parallel.forEachThrowing(chunks.count) { ci in
                for r in chunks[ci] {
                    let u = Int(rows[r])
                    let base = r * days * c
                    for e in log.offsets[u]..<log.offsets[u + 1] {
                        let t = log.times[e]
                        if t >= s.asOf { break }          // sorted by time: nothing later is read
                        if t < start { continue }
                        let d = Int((t - start) / microsPerDay)
                        let ch = typeChannel[Int(log.types[e])]
                        if ch >= 0 { out[base + d * c + ch] += 1 }
                        if s.amount, let a = log.amounts?[e], a.isFinite { out[base + d * c + c - 1] += Float(a) }
                    }
                }
            }
        }
        switch s.normalize {
        case .none: break
        case .log1p:
            for i in data.indices { let v = data[i]; data[i] = v >= 0 ? log1p(v) : -log1p(-v) }
        case .standard:
            // Per channel over all users and days (Double sums, fixed order).
            var mean = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
            for i in data.indices { mean[i % c] += Double(data[i]) }
            let n = Double(max(1, rows.count * days))
            for j in 0..<c { mean[j] /= n }
            for i in data.indices { let d = Double(data[i]) - mean[i % c]; sq[i % c] += d * d }
            let sd = sq.map { ($0 / n).squareRoot() }
            for i in data.indices { let j = i % c; data[i] = Float(sd[j] > 0 ? (Double(data[i]) - mean[j]) / sd[j] : 0) }
        }
        return Result(tensor: Tensor(uncheckedShape: [rows.count, days, c], data: data), userRows: rows, channels: channels)
    }
}
