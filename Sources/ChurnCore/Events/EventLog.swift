/// A behaviour log indexed for point-in-time work: rows sorted once by
/// (user, time) — stable, so equal times keep their input order — with CSR
/// offsets per user, times in µs since the epoch (dates become midnight UTC),
/// event types dictionary-encoded and amounts as Float64 (NaN = missing).
///
/// Users are listed in ascending id order (see `UserIDs`); user `u`'s events are
/// rows `offsets[u]..<offsets[u+1]`, oldest first.
public struct EventLog: Sendable {
    /// Name of the user column in the source frame (reused for outputs).
    public let userColumn: String
    public let users: UserIDs
    /// `users.count + 1` offsets into the event arrays.
    public let offsets: [Int]
    /// Event times, µs since 1970-01-01 UTC, ascending within each user.
    public let times: [Int64]
    /// Event type per event: index into `typeNames`.
    public let types: [Int32]
    /// Distinct event type names (dictionary order of the source column).
    public let typeNames: [String]
    /// Amount per event, NaN where missing; nil when no amount column was given.
    public let amounts: [Double]?
    /// True when the time column was a date (whole days).
    public let timeIsDate: Bool

    public var count: Int { times.count }
    public var userCount: Int { users.count }

    /// Indexes `frame`. `user` is an int or string column, `time` a timestamp,
    /// date or ISO-text column, `event` a string/category column (nil: every row is type
    /// "event"), `amount` an optional numeric column (nulls allowed).
    public init(_ frame: Frame, user: String = "user_id", time: String = "ts",
                event: String? = "event", amount: String? = nil) throws {
        let ucol = try frame.column(user)
        let (rawTimes, isDate) = try timeValues(try frame.column(time), allowNull: false)
        timeIsDate = isDate
        let rawTypes: [Int32]
        if let event {
            let ecol = try frame.column(event)
            switch ecol.data {
            case .string(let c, let d), .category(let c, let d): rawTypes = c; typeNames = d
            default: throw EventError.columnType(column: event, expected: "string (event type)", got: ecol.dtype)
            }
            if let v = ecol.validity, let r = (0..<ecol.count).first(where: { !v.isValid($0) }) {
                throw EventError.nullValue(column: event, row: r)
            }
        } else {
            rawTypes = [Int32](repeating: 0, count: frame.nrow); typeNames = ["event"]
        }
        var rawAmounts: [Double]? = nil
        if let amount {
            let acol = try frame.column(amount)
            guard acol.dtype != .date, acol.dtype != .timestamp, acol.dtype != .string, acol.dtype != .category else {
                throw EventError.columnType(column: amount, expected: "numeric (amount)", got: acol.dtype)
            }
            rawAmounts = EventLog.doublesWithNaN(acol)
        }
        guard frame.nrow < Int(Int32.max) else {
            throw EventError.invalidOption("event log has \(frame.nrow) rows; at most \(Int32.max - 1) are supported")
        }
        let (ids, keys) = try UserIDs.encode(ucol)
        userColumn = user
        users = ids
        if frame.nrow >= EventLog.radixThreshold {
            let r = try EventRadixSort.sort(keys: keys, groups: ids.count, times: rawTimes, types: rawTypes, amounts: rawAmounts)
            offsets = r.offsets; times = r.times; types = r.types; amounts = r.amounts
        } else {
            let (perm, offsets, sortedTimes) = GroupSort.byKeyThenTime(keys: keys, groups: ids.count, times: rawTimes)
            self.offsets = offsets
            times = sortedTimes
            types = EventLog.gather(rawTypes, perm)
            amounts = rawAmounts.map { EventLog.gather($0, perm) }
        }
    }

    /// Builds a log directly from arrays already grouped by user and sorted by
    /// time (used by the simulator and tests); validates that order.
    public init(userColumn: String = "user_id", users: UserIDs, offsets: [Int], times: [Int64],
                types: [Int32], typeNames: [String], amounts: [Double]?, timeIsDate: Bool = false) throws {
        guard offsets.count == users.count + 1, offsets.first == 0, offsets.last == times.count,
              types.count == times.count, amounts.map({ $0.count == times.count }) ?? true else {
            throw EventError.invalidOption("event log arrays have inconsistent lengths")
        }
        for u in 0..<users.count {
            guard offsets[u] <= offsets[u + 1] else { throw EventError.invalidOption("offsets decrease at user \(u)") }
            var i = offsets[u] + 1
            while i < offsets[u + 1] {
                guard times[i - 1] <= times[i] else {
                    throw EventError.invalidOption("events of user \(u) are not sorted by time at event \(i)")
                }
                i += 1
            }
        }
        for t in types where t < 0 || Int(t) >= typeNames.count {
            throw EventError.invalidOption("event type code \(t) outside 0..<\(typeNames.count)")
        }
        self.userColumn = userColumn; self.users = users; self.offsets = offsets; self.times = times
        self.types = types; self.typeNames = typeNames; self.amounts = amounts; self.timeIsDate = timeIsDate
    }

    /// Logs with at least this many rows are grouped by `EventRadixSort` (cache-friendly
    /// for large inputs); smaller ones by `GroupSort`. Both give the same order.
    nonisolated(unsafe) static var radixThreshold = 100_000

    /// Earliest and latest event time (nil for an empty log).
    public var timeRange: (min: Int64, max: Int64)? {
        guard !times.isEmpty else { return nil }
        var lo = Int64.max, hi = Int64.min
        for u in 0..<userCount where offsets[u] < offsets[u + 1] {
            lo = min(lo, times[offsets[u]]); hi = max(hi, times[offsets[u + 1] - 1])
        }
        return (lo, hi)
    }

    /// The end of observation used for censoring when none is given: the day
    /// after the last event for date logs, one µs after the last event otherwise.
    public var defaultDataEnd: Int64 {
        guard let r = timeRange else { return Int64.min }
        return timeIsDate ? (TimeUnit.day(r.max) + 1) * TimeUnit.microsPerDay : r.max + 1
    }

    /// Code of event type `name`, or nil if the log has no such type.
    public func typeCode(_ name: String) -> Int32? {
        typeNames.firstIndex(of: name).map { Int32($0) }
    }

    /// First event index of user `u` at or after time `t` (binary search in the user's slice).
    @inline(__always) public func lowerBound(user u: Int, time t: Int64) -> Int {
        times.withUnsafeBufferPointer { EventLog.lowerBound($0, offsets[u], offsets[u + 1], t) }
    }

    @inline(__always) static func lowerBound(_ t: UnsafeBufferPointer<Int64>, _ lo: Int, _ hi: Int, _ x: Int64) -> Int {
        var a = lo, b = hi
        while a < b { let m = (a + b) >> 1; if t[m] < x { a = m + 1 } else { b = m } }
        return a
    }

    /// A numeric column as Float64 with NaN for nulls (float columns: one copy,
    /// nulls found word by word in the validity bitmap).
    static func doublesWithNaN(_ c: Column) -> [Double] {
        guard case .float64(var v) = c.data else { return c.toDoubles() ?? [] }
        guard let validity = c.validity else { return v }
        v.withUnsafeMutableBufferPointer { p in
            for (w, word) in validity.words.enumerated() where word != ~0 {
                var missing = ~word
                while missing != 0 {
                    let i = w * 64 + missing.trailingZeroBitCount
                    if i < p.count { p[i] = .nan }
                    missing &= missing - 1
                }
            }
        }
        return v
    }

    static func gather<T>(_ v: [T], _ perm: [Int32]) -> [T] {
        guard !v.isEmpty else { return [] }
        return v.withUnsafeBufferPointer { src in
            perm.withUnsafeBufferPointer { p in
                [T](unsafeUninitializedCapacity: p.count) { dst, count in
                    let d = dst.baseAddress!
                    let rs = Parallel.ranges(p.count, chunks: Parallel.threads)
                    Parallel.forEach(rs.count) { c in
                        for i in rs[c] { (d + i).initialize(to: src[Int(p[i])]) }
                    }
                    count = p.count
                }
            }
        }
    }
}
