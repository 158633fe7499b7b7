import ExecutionControl
import Foundation

/// How a sequence model turns an event log into its input: per frame row, the
/// `days` whole days before that row's as_of (oldest first), one channel per
/// event type named (or every type of the log, in its order) and the daily
/// amount sum with `amount`. Saved with the model so predictions rebuild the
/// same channels from whatever log is attached.
public struct SequenceWindowSpec: Codable, Sendable, Equatable {
    public enum Normalize: String, Codable, Sendable { case none, log1p }
    public var days = 90
    /// Event types, one channel each (resolved against the log at fit time).
    public var types: [String] = []
    public var amount = false
    public var normalize = Normalize.log1p
    public init() {}

    public var channels: [String] { types + (amount ? ["amount"] : []) }
}

/// Sequence tensors for arbitrary (user, as_of) pairs — the rows of a frame
/// from `cl.features.snapshots`, where each row has its own observation date.
/// Strictly point in time: row r reads only events of its user strictly
/// before its as_of (the rule of `Sequences` and the feature builder).
public enum SequenceWindows {
    /// Where an as_of value given as a number comes from: dates are whole days
    /// since 1970-01-01 (|value| < 3e6, i.e. before year 10,000); anything
    /// larger is a timestamp in microseconds.
    public static func asOfMicros(_ v: Double) -> Int64? {
        guard v.isFinite, abs(v) < 9e18 else { return nil }
        return abs(v) < 3_000_000 ? Int64(v.rounded(.down)) * Sequences.microsPerDay : Int64(v)
    }

    /// The log's dense user index for each id (-1: not in the log). Integer ids only.
    public static func userRows(_ log: EventLog, ids: [Double]) throws -> [Int] {
        guard case .int(let sorted) = log.users else {
            throw NNError("sequence models need integer user ids in the event log (this log has text ids)")
        }
        return ids.map { v in
            guard v.isFinite, let id = Int64(exactly: v.rounded()) else { return -1 }
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < id { lo = mid + 1 } else { hi = mid } }
            return lo < sorted.count && sorted[lo] == id ? lo : -1
        }
    }

    /// Resolves the channel list against the log (fit time): every type when `types` is empty.
    public static func resolve(_ spec: SequenceWindowSpec, _ log: EventLog) throws -> SequenceWindowSpec {
        var s = spec
        if s.types.isEmpty { s.types = log.typeNames }
        for t in s.types where !log.typeNames.contains(t) {
            throw NNError("sequences: no event type '\(t)' in the log (types: \(log.typeNames.prefix(12).joined(separator: ", ")))")
        }
        if s.amount && log.amounts == nil { throw NNError("sequences: amount = true needs an event log with an amount column") }
        guard !s.channels.isEmpty else { throw NNError("sequences: no channels") }
        return s
    }

    /// (rows × days × channels) for users `users` (log indices, -1 = no events)
    /// at `asOf` (µs) per row. A type the log lacks (a log attached after
    /// loading) gives a channel of zeros.
    public static func build(_ log: EventLog, users: [Int], asOf: [Int64], spec s: SequenceWindowSpec) throws -> Tensor<Float> {
        guard users.count == asOf.count else { throw NNError("sequences: \(users.count) users but \(asOf.count) as_of values") }
        guard (1...36500).contains(s.days) else { throw NNError("sequences: days must be in 1...36500, got \(s.days)") }
        let c = s.channels.count, days = s.days, n = users.count
        var typeChannel = [Int](repeating: -1, count: log.typeNames.count)
        for (ch, name) in s.types.enumerated() { if let i = log.typeNames.firstIndex(of: name) { typeChannel[i] = ch } }
        let useAmount = s.amount && log.amounts != nil
        try ExecutionContext.checkMemory(n * days * c * 4, for: "sequences")
        var data = [Float](repeating: 0, count: n * days * c)
        let span = Int64(days) * Sequences.microsPerDay
        try data.withMutPtr { out in
            let chunks = Parallel.ranges(n, chunks: max(1, min(n, Parallel.threads * 4)))
            try Parallel.forEachThrowing(chunks.count) { ci in
                try ExecutionContext.check()
                for r in chunks[ci] {
                    let u = users[r]
                    guard u >= 0 else { continue }
                    let end = asOf[r], start = end - span, base = r * days * c
                    // First event at or after `start` (times ascend within a user).
                    var lo = log.offsets[u], hi = log.offsets[u + 1]
                    while lo < hi { let mid = (lo + hi) / 2; if log.times[mid] < start { lo = mid + 1 } else { hi = mid } }
                    var e = lo
                    while e < log.offsets[u + 1] {
                        let t = log.times[e]
                        if t >= end { break }              // strictly before as_of
                        let d = Int((t - start) / Sequences.microsPerDay)
                        let ch = typeChannel[Int(log.types[e])]
                        if ch >= 0 { out[base + d * c + ch] += 1 }
                        if useAmount, let a = log.amounts?[e], a.isFinite { out[base + d * c + c - 1] += Float(a) }
                        e += 1
                    }
                }
            }
        }
        if s.normalize == .log1p {
            for i in data.indices { let v = data[i]; data[i] = v >= 0 ? log1p(v) : -log1p(-v) }
        }
        return Tensor(uncheckedShape: [n, days, c], data: data)
    }
}
